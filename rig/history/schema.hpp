// The history's schema as numbered migrations, the same for SQLite and PostgreSQL: a database is
// brought up to date when it is opened, each migration in its own transaction, holding the
// database's writer lock so two rigs starting together migrate once.
#pragma once

#include <string_view>
#include <vector>

#include "rig/history/sql_database.hpp"

namespace cyanrig {

struct Migration {
  int version;
  std::string_view name;
  std::vector<std::string_view> statements;  // "{id}" stands for the dialect's auto-numbered key
};

const std::vector<Migration>& history_migrations();

// Applies the migrations `db` has not seen; returns the schema version it is at afterwards. Throws
// HistoryError when the database is newer than this binary knows (it would misread it).
int migrate_history(SqlDatabase& db);

}  // namespace cyanrig
