#include "drivers/posix/shell_quote.hpp"

#include <algorithm>
#include <string_view>

namespace cyanrig {
namespace {

bool plain_word(const std::string& word) {
  constexpr std::string_view kPlain = "@%+=:,./_-";
  return !word.empty() && std::all_of(word.begin(), word.end(), [&](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kPlain.find(c) != std::string_view::npos;
  });
}

}  // namespace

std::string shell_quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string shell_words(std::span<const std::string> words) {
  std::string out;
  for (const std::string& word : words) {
    if (!out.empty()) out += ' ';
    out += plain_word(word) ? word : shell_quoted(word);
  }
  return out;
}

}  // namespace cyanrig
