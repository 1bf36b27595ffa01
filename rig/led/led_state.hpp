// The status LED vocabulary of ../shared/particle-reference.md section 2: colours, the default
// signals and the canonical state names scenarios and results use.
//
// The colour and default-signal tables are constexpr and header-only on purpose: the simulated
// device (drivers/sim, library cyanrig_sim) plays them and the decoder (cyanrig_led) recognises
// them, and both must read the same table without one library linking the other.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "rig/core/time.hpp"

namespace cyanrig {

struct Rgb {
  float r = 0, g = 0, b = 0;  // 0..1 per channel

  // 0xRRGGBB as Device OS themes write colours.
  static constexpr Rgb from_hex(std::uint32_t rgb) {
    return {static_cast<float>((rgb >> 16U) & 0xFFU) / 255.0F,
            static_cast<float>((rgb >> 8U) & 0xFFU) / 255.0F, static_cast<float>(rgb & 0xFFU) / 255.0F};
  }
  constexpr Rgb scaled(float k) const { return {r * k, g * k, b * k}; }
};
constexpr Rgb operator+(Rgb a, Rgb b) {
  return {a.r + b.r, a.g + b.g, a.b + b.b};
}
constexpr Rgb operator-(Rgb a, Rgb b) {
  return {a.r - b.r, a.g - b.g, a.b - b.b};
}

struct NamedColour {
  std::string_view name;  // red, green, blue, yellow, cyan, magenta, white, orange, gray
  Rgb rgb;
};

inline constexpr std::array<NamedColour, 9> kLedColours{{
    {"red", Rgb::from_hex(0xFF0000)},
    {"green", Rgb::from_hex(0x00FF00)},
    {"blue", Rgb::from_hex(0x0000FF)},
    {"yellow", Rgb::from_hex(0xFFFF00)},
    {"cyan", Rgb::from_hex(0x00FFFF)},
    {"magenta", Rgb::from_hex(0xFF00FF)},
    {"white", Rgb::from_hex(0xFFFFFF)},
    {"orange", Rgb::from_hex(0xFF6000)},
    {"gray", Rgb::from_hex(0x1F1F1F)},
}};
inline std::span<const NamedColour> led_colours() {
  return kLedColours;
}
// The colour called `name`; null when Device OS has no such default colour.
constexpr const NamedColour* find_led_colour(std::string_view name) {
  for (const auto& colour : kLedColours) {
    if (colour.name == name) return &colour;
  }
  return nullptr;
}

// How a default signal animates (the sos and cloud-error patterns are described separately).
enum class LedPattern {
  dark,     // LED off
  solid,    // constant colour
  blink,    // on for the first half of the period, off for the second
  breathe,  // linear triangle: full at t=0, zero at period/2, full at period
};

// One of Device OS's default LED signals under its canonical cyanrig name.
struct DefaultLedSignal {
  std::string_view state;   // canonical name, e.g. "breathing_cyan"
  std::string_view colour;  // a name from kLedColours; empty for `off`
  LedPattern pattern;
  Duration period;  // zero for dark and solid
};

namespace led_periods {
using std::chrono::milliseconds;
inline constexpr Duration kBlinkSlow = milliseconds(500);    // 2 Hz
inline constexpr Duration kBlinkNormal = milliseconds(200);  // 5 Hz
inline constexpr Duration kBlinkFast = milliseconds(100);    // 10 Hz
inline constexpr Duration kBreatheNormal = milliseconds(4000);
// Device OS runs the LED animation in 25 ms steps (40 Hz).
inline constexpr Duration kUpdateStep = milliseconds(25);
// Cloud-error flashes: 250 ms on, 250 ms off.
inline constexpr Duration kCloudErrorFlash = milliseconds(250);
}  // namespace led_periods

// Listening mode: Device OS uses the slow blink (500 ms period, LED_SIGNAL_LISTENING_MODE); the docs'
// animation shows 300/300 ms, which cyanrig does not treat as the default.
// DFU: the bootloader toggles yellow every 100 ms, i.e. a 200 ms blink period.
inline constexpr std::array<DefaultLedSignal, 14> kDefaultLedSignals{{
    {"off", "", LedPattern::dark, Duration{0}},
    {"breathing_white", "white", LedPattern::breathe, led_periods::kBreatheNormal},
    {"breathing_blue", "blue", LedPattern::breathe, led_periods::kBreatheNormal},
    {"blinking_green", "green", LedPattern::blink, led_periods::kBlinkNormal},
    {"fast_blinking_green", "green", LedPattern::blink, led_periods::kBlinkFast},
    {"breathing_green", "green", LedPattern::breathe, led_periods::kBreatheNormal},
    {"blinking_cyan", "cyan", LedPattern::blink, led_periods::kBlinkNormal},
    {"fast_blinking_cyan", "cyan", LedPattern::blink, led_periods::kBlinkFast},
    {"breathing_cyan", "cyan", LedPattern::breathe, led_periods::kBreatheNormal},
    {"breathing_magenta", "magenta", LedPattern::breathe, led_periods::kBreatheNormal},
    {"blinking_blue", "blue", LedPattern::blink, led_periods::kBlinkSlow},
    {"blinking_yellow", "yellow", LedPattern::blink, led_periods::kBlinkNormal},
    {"fast_blinking_magenta", "magenta", LedPattern::blink, led_periods::kBlinkFast},
    {"solid_gray", "gray", LedPattern::solid, Duration{0}},
    // sos and cloud_error are not steady signals; see LedStateChange.
}};
inline std::span<const DefaultLedSignal> default_led_signals() {
  return kDefaultLedSignals;
}
// The default signal called `state`; null for sos, cloud_error, unknown and anything else.
constexpr const DefaultLedSignal* find_default_led_signal(std::string_view state) {
  for (const auto& signal : kDefaultLedSignals) {
    if (signal.state == state) return &signal;
  }
  return nullptr;
}

// Canonical state names: off, breathing_white, breathing_blue, blinking_green, fast_blinking_green,
// breathing_green, blinking_cyan, fast_blinking_cyan, breathing_cyan, breathing_magenta,
// blinking_blue, blinking_yellow, fast_blinking_magenta, solid_gray, sos, cloud_error, unknown.
std::span<const std::string_view> led_state_names();
bool is_led_state_name(std::string_view name);

// One decoded state: what the LED showed from `start` until the next state began.
struct LedStateChange {
  Instant start;                      // when the pattern began (back-dated to its first edge)
  Instant recognised;                 // when the decoder had seen enough to name it
  std::string state;                  // canonical name
  std::optional<int> code;            // sos: panic code
  std::optional<std::string> colour;  // cloud_error: red / orange / magenta
  std::optional<int> count;           // cloud_error: number of flashes
  std::optional<Rgb> rgb;             // unknown: measured colour (0..1, brightest channel = 1)
  std::optional<Duration> period;     // unknown: measured period, when periodic
};

}  // namespace cyanrig
