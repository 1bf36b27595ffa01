// Where the run history lives: a SQLite file (the default) or a PostgreSQL database shared by racks.
#pragma once

#include <filesystem>
#include <string>

namespace cyanrig {

struct HistoryLocation {
  enum class Kind { none, sqlite, postgresql };
  Kind kind = Kind::none;
  std::string where;  // the file path, or the PostgreSQL connection URL (which may hold a password)
};

// $XDG_DATA_HOME/cyanrig/history.sqlite, else $HOME/.local/share/cyanrig/history.sqlite; empty when
// neither variable is set.
std::filesystem::path default_history_path();

// What the options and the environment choose, first match wins: `off` (--no-history); `url`
// (--history-url, a postgresql:// URL); `path` (--history, a SQLite file or a postgresql:// URL);
// $CYANRIG_HISTORY (either); the default path. Kind::none when nothing can be found.
HistoryLocation choose_history(bool off, const std::string& url, const std::string& path);

bool is_postgresql_url(const std::string& text);

// The URL with any password taken out (user:secret@host and password=... in the query), for messages:
// a password is never printed, logged or written.
std::string without_password(const std::string& url);

}  // namespace cyanrig
