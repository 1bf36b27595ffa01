#include "cli/history_choice.hpp"

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "drivers/history/postgresql/postgresql_database.hpp"
#include "drivers/history/sqlite/sqlite_database.hpp"
#include "rig/history/history_location.hpp"

namespace cyanrig::cli {

void add_history_options(CLI::App* command, HistoryOptions& options, bool can_skip) {
  command->add_option("--history", options.path,
                      "Run history: a SQLite file or a postgresql:// URL (default: $CYANRIG_HISTORY, else "
                      "~/.local/share/cyanrig/history.sqlite)");
  command->add_option("--history-url", options.url,
                      "Run history in PostgreSQL, shared by racks: postgresql://user@host/db");
  if (can_skip) command->add_flag("--no-history", options.off, "Record nothing in the run history");
}

std::unique_ptr<RunHistory> open_history(const HistoryOptions& options) {
  const HistoryLocation where = choose_history(options.off, options.url, options.path);
  switch (where.kind) {
    case HistoryLocation::Kind::none:
      return nullptr;
    case HistoryLocation::Kind::sqlite:
      return std::make_unique<RunHistory>(open_sqlite_history(where.where));
    case HistoryLocation::Kind::postgresql:
      return std::make_unique<RunHistory>(open_postgresql_history(where.where));
  }
  return nullptr;
}

std::unique_ptr<RunHistory> open_required_history(const HistoryOptions& options, const char* command,
                                                  int& exit_code) {
  try {
    auto history = open_history(options);
    if (!history) {
      fmt::print(stderr, "cyanrig {}: no run history (give --history FILE or --history-url URL)\n", command);
      exit_code = kExitInvalid;
    }
    return history;
  } catch (const HistoryError& e) {
    fmt::print(stderr, "cyanrig {}: {}\n", command, e.what());
    exit_code = kExitInfrastructure;
    return nullptr;
  }
}

}  // namespace cyanrig::cli
