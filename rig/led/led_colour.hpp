// Internal to the LED decoder: colour arithmetic on per-channel light and the naming of colours
// against Device OS's default colours (led_state.hpp).
#pragma once

#include <algorithm>
#include <cmath>
#include <string_view>

#include "rig/led/led_state.hpp"

namespace cyanrig::led_detail {

inline float brightest(Rgb c) {
  return std::max(c.r, std::max(c.g, c.b));
}
inline float dot_product(Rgb a, Rgb b) {
  return a.r * b.r + a.g * b.g + a.b * b.b;
}
// The colour with its brightest channel at 1 (black stays black).
inline Rgb normalised(Rgb c) {
  const float top = brightest(c);
  return top > 0 ? c.scaled(1.0F / top) : Rgb{};
}
// Largest per-channel difference: how far apart two normalised colours are.
inline float colour_distance(Rgb a, Rgb b) {
  const Rgb d = a - b;
  return std::max(std::abs(d.r), std::max(std::abs(d.g), std::abs(d.b)));
}

// Colours of one pattern agree within this (largest channel difference, normalised).
inline constexpr float kSameColour = 0.3F;

// The default colour nearest to `light` (per-channel light, any scale) within `tolerance`; neutral
// light is white (gray is told apart by brightness, see SteadyMatcher).
const NamedColour* nearest_default_colour(Rgb light, double tolerance);
bool is_colour(const NamedColour* c, std::string_view name);
// Red, orange or magenta: the colours of cloud-error flashes.
bool is_flash_colour(const NamedColour* c);
// How far a measured colour may be from a default one: `base` plus what the light's noise allows
// (3 sd of the mean of `samples` readings and of the dark level, relative to the light's `level`),
// so dim light measured over few samples is still named.
double colour_tolerance_for(double base, float channel_noise, int samples, float level);

}  // namespace cyanrig::led_detail
