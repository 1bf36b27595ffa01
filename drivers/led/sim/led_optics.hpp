// How a colour sensor over a device's status LED reads it: the realistic optical model of the
// simulated sensor and of the LED decoder's benchmarks (docs/led.md, "The optical model").
//
// reading(t) = scale * G * X * P * emitted(t) + ambient(t), per channel, where
// - emitted is what the LED's red, green and blue dies give out (0..1 each, as LedAnimator says);
// - P is this LED's dies against a nominal one (die_power: LEDs differ from batch to batch and
//   between platforms);
// - X is the sensor's crosstalk: kTcs34725Crosstalk with its off-diagonal scaled by `crosstalk`
//   (0: an ideal sensor whose channels see only their own die; 1: the datasheet's typical part);
// - G is the sensor's own gain error per channel (channel_gain);
// - ambient(t) is room light plus the infrared that leaks through the sensor's IR-blocking filter,
//   swinging slowly by up to `drift` of itself (daylight, a door opening) over minutes.
// Noise, jitter and lost samples are the sensor's, not the light's: the callers add them.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

#include "rig/led/channel_matrix.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig::sim {

// Infrared per channel for a unit of infrared reaching the sensor, against each channel's own die:
// the datasheet curve beyond 700 nm, where the IR-blocking filter lets ~8% through on every channel.
inline constexpr Rgb kIrLeak{0.10F, 0.11F, 0.11F};

struct LedOptics {
  float crosstalk = 0;           // scale of kTcs34725Crosstalk's off-diagonal
  Rgb channel_gain{1, 1, 1};     // the sensor's channels against a typical part
  Rgb die_power{1, 1, 1};        // the LED's dies against a nominal LED
  Rgb ambient{1, 1, 1};          // the colour of the room light as the channels read it (scaled by level)
  float ir = 0;                  // infrared, against the room light's level
  float drift = 0;               // the ambient light swings by up to this fraction of itself
  std::uint64_t drift_seed = 0;  // where in its slow swing the ambient light starts

  // The channels' reading of the LED's light, before noise and ambient light: scale * G * X * P.
  ChannelMatrix response(float scale) const;
};

// What the sensor reads before noise, for one optical set-up at one scale and ambient level.
class OpticalPath {
 public:
  // `scale`: the reading of a nominal die at full on its own channel; `ambient_level`: the room
  // light's level on a channel of unit ambient colour.
  OpticalPath(const LedOptics& optics, float scale, float ambient_level);
  Rgb ambient_at(Instant t) const;
  Rgb reading(Rgb emitted, Rgb ambient) const { return response_ * emitted + ambient; }
  Rgb reading(Rgb emitted, Instant t) const { return reading(emitted, ambient_at(t)); }

 private:
  ChannelMatrix response_;
  Rgb ambient_;
  float drift_;
  double phase_a_, phase_b_;
};

// Named set-ups spanning the spread of real sensors and LEDs around the datasheet estimate
// (crosstalk 0.5-1.5x, channel gains and dies a few percent to 20% off, room light and infrared).
struct OpticsVariant {
  std::string_view name;
  std::string_view what;
  LedOptics optics;
};
std::span<const OpticsVariant> optics_variants();
const OpticsVariant* find_optics_variant(std::string_view name);

// One device's own sensor and LED, drawn from within the variants' spread; `seed` names the
// device, so a device keeps its optics from run to run (and its calibration stays valid).
LedOptics device_optics(std::uint64_t seed);

}  // namespace cyanrig::sim
