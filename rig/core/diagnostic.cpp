#include "rig/core/diagnostic.hpp"

#include <fmt/format.h>

namespace cyanrig {

std::string Diagnostic::to_string() const {
  if (loc.file.empty()) return message;  // a problem with no file (a name that names nothing)
  if (loc.line <= 0) return fmt::format("{}: {}", loc.file, message);
  return fmt::format("{}:{}:{}: {}", loc.file, loc.line, loc.column, message);
}

}  // namespace cyanrig
