#include "rig/history/device_os_version.hpp"

#include <cctype>
#include <optional>
#include <string_view>

namespace cyanrig {
namespace {

// Written out rather than as a std::regex: libstdc++'s regex executor recurses once per character
// it tries, so a long serial line (a device may write one of any length) overflowed the stack; the
// ThreadSanitizer build, with its bigger frames, crashed on ordinary runs.
//
// What it finds, loosely, since log strings drift between Device OS versions (case ignored):
//   device\s*os | system\s*(firmware\s*)?version,  then up to 16 characters that are no digit or line
//   end (and one more when it is a `v`),  then  \d+.\d+.\d+  and an optional -suffix [0-9A-Za-z.]+.
constexpr std::string_view kKeywords[] = {"device os", "system version", "system firmware version"};

bool is_digit(char c) {
  return c >= '0' && c <= '9';
}

// The end of `keyword` at `at` in `text`, case ignored, each ' ' in it standing for any run of white
// space (none included).
std::optional<std::size_t> keyword_end(std::string_view text, std::size_t at, std::string_view keyword) {
  std::size_t i = at;
  for (const char k : keyword) {
    if (k == ' ') {
      while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i])) != 0) ++i;
      continue;
    }
    if (i >= text.size() || std::tolower(static_cast<unsigned char>(text[i])) != k) return std::nullopt;
    ++i;
  }
  return i;
}

std::size_t digits_from(std::string_view text, std::size_t i) {
  while (i < text.size() && is_digit(text[i])) ++i;
  return i;
}

// The version starting at `i`, if one does.
std::optional<std::string_view> version_at(std::string_view text, std::size_t i) {
  const std::size_t start = i;
  for (int part = 0; part < 3; ++part) {
    if (part > 0) {
      if (i >= text.size() || text[i] != '.') return std::nullopt;
      ++i;
    }
    const std::size_t end = digits_from(text, i);
    if (end == i) return std::nullopt;
    i = end;
  }
  if (i + 1 < text.size() && text[i] == '-') {
    std::size_t j = i + 1;
    while (j < text.size() && (std::isalnum(static_cast<unsigned char>(text[j])) != 0 || text[j] == '.')) ++j;
    if (j > i + 1) i = j;
  }
  return text.substr(start, i - start);
}

// The version a keyword ending at `after` names, if any.
std::optional<std::string_view> version_after(std::string_view text, std::size_t after) {
  constexpr std::size_t kMostBetween = 16;
  std::size_t i = after;
  while (i < text.size() && !is_digit(text[i]) && text[i] != '\r' && text[i] != '\n' &&
         i - after <= kMostBetween)
    ++i;
  if (i >= text.size() || !is_digit(text[i])) return std::nullopt;
  const bool v_extra = i - after == kMostBetween + 1 && (text[i - 1] == 'v' || text[i - 1] == 'V');
  if (i - after > kMostBetween && !v_extra) return std::nullopt;
  return version_at(text, i);
}

// The version the line names first, as a regex search would find it.
std::optional<std::string_view> version_in(std::string_view line) {
  for (std::size_t at = 0; at < line.size(); ++at) {
    for (const std::string_view keyword : kKeywords) {
      if (const auto end = keyword_end(line, at, keyword)) {
        if (const auto version = version_after(line, *end)) return version;
      }
    }
  }
  return std::nullopt;
}

}  // namespace

std::string device_os_version_in(const std::vector<RecordedSerialLine>& lines) {
  std::string found;
  for (const RecordedSerialLine& line : lines) {
    if (const auto version = version_in(line.text)) found = std::string(*version);
  }
  return found;
}

std::string device_os_version_in(const RecordedEvent& event) {
  for (const char* key : {"system_firmware_version", "system_version", "device_os"}) {
    const auto it = event.data.find(key);
    if (it != event.data.end() && it->is_string() && !it->get<std::string>().empty())
      return it->get<std::string>();
  }
  return {};
}

}  // namespace cyanrig
