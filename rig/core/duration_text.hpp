// Durations as lab engineers write them in rack and scenario files: "250ms", "30s", "5m", "1h30m",
// "1.5s", "2min", "7d". Anything else ("10 mins", "-5s", "5") is rejected with a reason.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rig/core/time.hpp"

namespace cyanrig {

struct DurationParse {
  std::optional<Duration> value;
  std::string error;  // set when value is empty
};

DurationParse parse_duration(std::string_view text);

// The shortest exact spelling, as accepted by parse_duration: "1h30m", "2.5s", "250ms".
std::string format_duration(Duration d);

// A measured time for a message, to the millisecond: "11.002s", not format_duration's exact
// "11002050us".
std::string format_elapsed(Duration d);

}  // namespace cyanrig
