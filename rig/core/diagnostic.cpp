#include "rig/core/diagnostic.hpp"

#include <fmt/format.h>

namespace cyanrig {

std::string SourceLoc::to_string() const {
  if (line <= 0) return file;
  return fmt::format("{}:{}:{}", file, line, column);
}

std::string Diagnostic::to_string() const {
  if (loc.file.empty()) return message;  // a problem with no file (a name that names nothing)
  return fmt::format("{}: {}", loc.to_string(), message);
}

}  // namespace cyanrig
