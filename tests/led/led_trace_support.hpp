// Test support for the LED tests: scripted LED traces played by the simulated device's animator
// and read through a colour-sensor model (the optical model of drivers/led/sim/led_optics: crosstalk,
// channel gains, the LED's dies, ambient light and infrared; then noise with a fixed seed,
// sample-time jitter, dropped samples), and a decoder run that feeds them the way the engine does.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "drivers/led/sim/led_optics.hpp"
#include "drivers/sim/led_animator.hpp"
#include "rig/capabilities/colour_sensor.hpp"
#include "rig/led/calibration.hpp"
#include "rig/led/led_decoder.hpp"

namespace cyanrig::test {

struct SensorModel {
  double rate_hz = 50;
  float full = 1.0F;      // reading of a full-brightness channel (the LED's brightness, 0.2-1.0)
  float ambient = 0.03F;  // room light's level (optics.ambient gives its colour)
  float noise = 0.02F;    // sd, in units of a full-scale (1.0) reading
  double jitter = 0.05;   // samples are taken up to this fraction of the interval early
  double drop = 0.005;    // chance that a sample is lost
  float counts = 1.0F;    // multiplies every reading (raw-count sensors)
  std::uint64_t seed = 1;
  // How the sensor sees the LED; the default is an ideal sensor (each channel sees only its own die)
  // in neutral room light.
  sim::LedOptics optics;
};

// One stretch of the script: the LED shows `signal` for `length` (the animation restarts).
struct Shown {
  Duration length;
  sim::LedSignal signal;
};

class LedScript {
 public:
  LedScript& show(Duration length, const sim::LedSignal& signal);
  LedScript& show(Duration length, std::string_view default_state);
  // When stretch `index` begins.
  Instant start_of(std::size_t index) const;
  Instant end() const;
  // What the LED emits at `t`.
  Rgb emitted(Instant t) const;
  // When the LED last went dark at or before `t` (1 ms resolution): where `off` after a pattern
  // begins.
  Instant went_dark(Instant t) const;
  // The first moment at or after `t` (1 ms resolution, up to `t + within`) at which the LED emits
  // something else than just before `t`: where a pattern that begins under light of its own colour
  // (a blink starting lit while the blink before it was lit) first shows. `t` when it shows at once.
  Instant first_change(Instant t, Duration within) const;
  // Samples of the whole script through `sensor`.
  std::vector<RgbSample> sample(const SensorModel& sensor) const;

 private:
  std::vector<Shown> stretches_;
};

// Feeds the samples in 200 ms batches (like the simulated sensor) and then finishes.
std::vector<LedStateChange> decode(const std::vector<RgbSample>& samples,
                                   const LedDecoderOptions& options = {});

// What `cyanrig led calibrate --primaries probe` records for this sensor: dark (the LED off), then
// each die alone and white at the default brightness, a second each and the first 300 ms left to
// settle, through the same sensor (its noise, a stream of its own), and the correction made of them.
// Throws when the correction cannot be made.
LedCalibration probe_calibration(SensorModel sensor);

// "name@start_ms" for each state, e.g. "off@0 breathing_white@1000 sos(13)@5000", for readable
// failures.
std::string describe(const std::vector<LedStateChange>& states);

}  // namespace cyanrig::test
