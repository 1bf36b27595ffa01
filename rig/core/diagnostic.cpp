#include "rig/core/diagnostic.hpp"

#include <fmt/format.h>

#include "rig/core/utf8.hpp"

namespace cyanrig {

std::string SourceLoc::to_string() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Diagnostic::to_string() const {
  // Messages quote what the file says, which may be any bytes.
  std::string text = printable_text(message);
  if (loc.file.empty()) return text;  // a problem with no file (a name that names nothing)
  if (loc.line <= 0) return fmt::format("{}: {}", printable_text(loc.file), text);
  return fmt::format("{}:{}:{}: {}", printable_text(loc.file), loc.line, loc.column, text);
}

}  // namespace cyanrig
