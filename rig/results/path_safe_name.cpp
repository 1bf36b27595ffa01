#include "rig/results/path_safe_name.hpp"

namespace cyanrig {

namespace {

constexpr std::size_t kMaxNameBytes = 100;

bool kept(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == '-';
}

}  // namespace

std::string path_safe_name(std::string_view name) {
  std::string out;
  for (const char c : name) {
    if (out.size() >= kMaxNameBytes) break;
    if (kept(c)) {
      out += c;
    } else if (out.empty() || out.back() != '_') {
      out += '_';
    }
  }
  if (out.empty()) return "_";
  if (out.front() == '.') out.front() = '_';
  return out;
}

}  // namespace cyanrig
