// The status LED vocabulary of ../shared/particle-reference.md section 2: colours and the canonical
// state names scenarios and results use.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rig/core/time.hpp"

namespace cyanrig {

struct Rgb {
  float r = 0, g = 0, b = 0;  // 0..1 per channel
};

struct NamedColour {
  std::string_view name;  // red, green, blue, yellow, cyan, magenta, white, orange, gray
  Rgb rgb;
};
std::span<const NamedColour> led_colours();

// Canonical state names: off, breathing_white, breathing_blue, blinking_green, fast_blinking_green,
// breathing_green, blinking_cyan, fast_blinking_cyan, breathing_cyan, breathing_magenta,
// blinking_blue, blinking_yellow, fast_blinking_magenta, solid_gray, sos, cloud_error, unknown.
std::span<const std::string_view> led_state_names();
bool is_led_state_name(std::string_view name);

// One decoded state: what the LED showed from `start` until the next state began.
struct LedStateChange {
  Instant start;          // when the pattern began (back-dated to its first edge)
  Instant recognised;     // when the decoder had seen enough to name it
  std::string state;      // canonical name
  std::optional<int> code;            // sos: panic code
  std::optional<std::string> colour;  // cloud_error: red / orange / magenta
  std::optional<int> count;           // cloud_error: number of flashes
  std::optional<Rgb> rgb;             // unknown: measured colour (0..1, brightest channel = 1)
  std::optional<Duration> period;     // unknown: measured period, when periodic
};

}  // namespace cyanrig
