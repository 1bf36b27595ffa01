// Internal to the LED decoder: colour arithmetic on per-channel light and the naming of colours
// against Device OS's default colours (led_state.hpp).
//
// Colours are compared in "die space": what the LED's red, green and blue dies give out, estimated
// from what the sensor's channels read by undoing kCanonicalCrosstalk (0.75x) of the TCS34725's crosstalk
// (rig/led/channel_matrix.hpp). A sensor may deliver anything from no crosstalk at all (a calibrated
// one, whose correction already undid it, or an ideal one) to 1.5x the datasheet's (the spread of
// real parts): undoing 0.75x leaves at most 0.75x of it either way, which a colour tolerance of 0.4
// covers with room for noise, where the raw readings are off by up to 1.5x (a green die reads 0.53
// on the blue channel) and 0.2 did not cover even the typical part (docs/led.md, "Naming colours").
#pragma once

#include <algorithm>
#include <cmath>
#include <string_view>

#include "rig/led/channel_matrix.hpp"
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

// The decoder undoes the canonical sensor's crosstalk (channel_matrix.hpp): exactly what a calibrated
// sensor delivers, and what a raw one delivers give or take 0.75x the typical part's.
inline constexpr ChannelMatrix kSensorToDies = *kCanonicalSensor.inverse();
inline constexpr ChannelMatrix kDiesToSensor = kCanonicalSensor;
// Light as the sensor read it (above its dark level) -> the light of the LED's dies, and back.
inline Rgb to_dies(Rgb sensor_light) {
  return kSensorToDies * sensor_light;
}
inline Rgb to_sensor(Rgb die_light) {
  return kDiesToSensor * die_light;
}

// Colours of one pattern agree within this (largest channel difference, normalised).
inline constexpr float kSameColour = 0.3F;

// How far a measured colour may be from a default one, beyond what the sensor's crosstalk leaves on
// it (led_colour.cpp): `spread` of each of the colour's own channels (the sensor's channel gains and
// the LED's dies, a few percent to 30% apart), and `extra` on every channel (noise, short pulses).
struct ColourAllowance {
  double spread = 0.35;
  double extra = 0;
};

// How far `light` (die space, any scale) is from `colour`: the largest difference over its channels
// once both have their brightest channel at 1, each in units of what that channel may be off by
// (at most 1: within the allowance).
double colour_score(Rgb light, const NamedColour& colour, const ColourAllowance& allowance);
// The default colour that `light` is within the allowance of, the nearest when it is within several;
// neutral light is white (gray is told apart by brightness, see SteadyMatcher).
const NamedColour* nearest_default_colour(Rgb light, const ColourAllowance& allowance);
bool is_colour(const NamedColour* c, std::string_view name);
// Red, orange or magenta: the colours of cloud-error flashes.
bool is_flash_colour(const NamedColour* c);
// What a colour measured as the mean of `samples` readings of light at `level` may be off by through
// the noise: 3 sd of that mean and of the dark level, relative to the level, so dim light measured
// over few samples is still named.
double noise_allowance(float channel_noise, int samples, float level);
// `allowance` widened by that.
inline ColourAllowance with_noise(ColourAllowance allowance, float channel_noise, int samples, float level) {
  allowance.extra += noise_allowance(channel_noise, samples, level);
  return allowance;
}

}  // namespace cyanrig::led_detail
