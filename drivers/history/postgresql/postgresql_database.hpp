// The history in a PostgreSQL database, so several rigs record into one and `history` and `gate`
// see every rack.
#pragma once

#include <memory>
#include <string>

#include "rig/history/sql_database.hpp"

namespace cyanrig {

// Connects with a libpq connection URL (postgresql://user@host:port/db?...). Throws HistoryError
// naming the database (without its password) and the server's reason.
std::unique_ptr<SqlDatabase> open_postgresql_history(const std::string& url);

}  // namespace cyanrig
