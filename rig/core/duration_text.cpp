#include "rig/core/duration_text.hpp"

#include <fmt/format.h>

#include <cctype>
#include <cmath>

namespace cyanrig {
namespace {

struct Unit {
  std::string_view name;
  double micros;
};

// Longest names first so "ms" is not read as "m" followed by garbage.
constexpr Unit kUnits[] = {
    {"min", 60e6}, {"ms", 1e3}, {"us", 1.0}, {"h", 3600e6}, {"d", 86400e6}, {"m", 60e6}, {"s", 1e6},
};

}  // namespace

DurationParse parse_duration(std::string_view text) {
  const std::string quoted = fmt::format("'{}'", text);
  if (text.empty()) return {std::nullopt, "empty duration; write e.g. 30s, 5m, 250ms, 1h30m"};
  double total = 0;
  std::size_t i = 0;
  bool any = false;
  while (i < text.size()) {
    const std::size_t start = i;
    while (i < text.size() && (std::isdigit(static_cast<unsigned char>(text[i])) != 0 || text[i] == '.')) ++i;
    if (i == start) {
      return {std::nullopt, fmt::format("bad duration {}: expected a number at '{}'; write e.g. 30s, 5m, "
                                        "250ms, 1h30m",
                                        quoted, text.substr(start))};
    }
    const std::string number(text.substr(start, i - start));
    char* end = nullptr;
    const double value = std::strtod(number.c_str(), &end);
    if (end != number.c_str() + number.size() || !std::isfinite(value)) {
      return {std::nullopt, fmt::format("bad duration {}: '{}' is not a number", quoted, number)};
    }
    const Unit* unit = nullptr;
    for (const Unit& u : kUnits) {
      if (text.substr(i, u.name.size()) == u.name) {
        unit = &u;
        break;
      }
    }
    if (unit == nullptr) {
      const std::string_view rest = text.substr(i);
      return {std::nullopt,
              fmt::format("bad duration {}: {} after '{}'; units are ms, s, m (or min), h, d with no spaces, "
                          "e.g. 30s, 5m, 1h30m, 7d",
                          quoted,
                          rest.empty() ? std::string("missing unit") : fmt::format("unknown unit '{}'", rest),
                          number)};
    }
    i += unit->name.size();
    total += value * unit->micros;
    any = true;
  }
  if (!any) return {std::nullopt, fmt::format("bad duration {}", quoted)};
  return {Duration{static_cast<Duration::rep>(std::llround(total))}, {}};
}

std::string format_duration(Duration d) {
  using std::chrono::duration_cast;
  if (d.count() == 0) return "0s";
  std::string out;
  auto us = d.count();
  if (us < 0) {
    out = "-";
    us = -us;
  }
  constexpr long long kHour = 3600'000'000LL;
  constexpr long long kMinute = 60'000'000LL;
  constexpr long long kSecond = 1'000'000LL;
  if (us % 1000 != 0) return out + fmt::format("{}us", us);
  if (us < kSecond) return out + fmt::format("{}ms", us / 1000);
  if (const long long h = us / kHour; h > 0) {
    out += fmt::format("{}h", h);
    us %= kHour;
  }
  if (const long long m = us / kMinute; m > 0) {
    out += fmt::format("{}m", m);
    us %= kMinute;
  }
  if (us > 0) {
    if (us % kSecond == 0) {
      out += fmt::format("{}s", us / kSecond);
    } else {
      std::string frac = fmt::format("{:.3f}", static_cast<double>(us) / 1e6);
      while (frac.back() == '0') frac.pop_back();
      out += frac + "s";
    }
  }
  return out;
}

std::string format_elapsed(Duration d) {
  return format_duration(std::chrono::round<std::chrono::milliseconds>(d));
}

}  // namespace cyanrig
