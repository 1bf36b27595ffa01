#include "rig/core/text.hpp"

#include <algorithm>
#include <cctype>

namespace cyanrig {
namespace {

bool is_space(char c) {
  return std::isspace(static_cast<unsigned char>(c)) != 0;
}

template <typename Change>
std::string changed_case(std::string_view text, Change change) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(),
                 [&](unsigned char c) { return static_cast<char>(change(c)); });
  return out;
}

}  // namespace

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  return text;
}

std::string lower(std::string_view text) {
  return changed_case(text, [](unsigned char c) { return std::tolower(c); });
}

std::string upper(std::string_view text) {
  return changed_case(text, [](unsigned char c) { return std::toupper(c); });
}

}  // namespace cyanrig
