#include "rig/history/sql_database.hpp"

namespace cyanrig {

SqlParam sql_text_or_null(const std::string& text) {
  if (text.empty()) return nullptr;
  return text;
}

SqlParam sql_number_or_null(const std::optional<double>& value) {
  if (!value) return nullptr;
  return *value;
}

std::string sql_excerpt(std::string_view sql) {
  std::string out;
  bool space = false;
  for (const char c : sql) {
    const bool blank = c == '\n' || c == ' ' || c == '\t';
    if (blank && (space || out.empty())) continue;
    space = blank;
    out += blank ? ' ' : c;
    if (out.size() >= 60) return out + "...";
  }
  return out;
}

}  // namespace cyanrig
