// The history in one SQLite file (the default: no server, one rig).
#pragma once

#include <filesystem>
#include <memory>

#include "rig/history/sql_database.hpp"

namespace cyanrig {

// Opens (creating it and its folder when missing) the SQLite database at `path`. Another process
// writing at the same time is waited for up to 30 s. Throws HistoryError naming the path and cause.
std::unique_ptr<SqlDatabase> open_sqlite_history(const std::filesystem::path& path);

}  // namespace cyanrig
