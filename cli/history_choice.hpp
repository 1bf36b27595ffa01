// The one place a command gets its run history: --history FILE|URL, --history-url URL, --no-history,
// $CYANRIG_HISTORY, or the default SQLite file; opened with the backend its location names.
#pragma once

#include <CLI/CLI.hpp>
#include <memory>
#include <string>

#include "rig/history/run_history.hpp"

namespace cyanrig::cli {

struct HistoryOptions {
  std::string path;  // --history
  std::string url;   // --history-url
  bool off = false;  // --no-history
};

// Adds --history and --history-url (and --no-history when `can_skip`) to `command`.
void add_history_options(CLI::App* command, HistoryOptions& options, bool can_skip);

// The chosen history, migrated; null when --no-history (or no location at all). Throws HistoryError.
std::unique_ptr<RunHistory> open_history(const HistoryOptions& options);

// As open_history for commands that need one: prints the problem and gives null when none was chosen
// (`exit_code` 2) or it cannot be opened (3).
std::unique_ptr<RunHistory> open_required_history(const HistoryOptions& options, const char* command,
                                                  int& exit_code);

}  // namespace cyanrig::cli
