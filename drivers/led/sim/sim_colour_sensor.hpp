// LED backend `sim`: a colour sensor looking at a simulated device's status LED.
//
// It reads what the device's LedAnimator emits at each sample time and delivers a batch every 200 ms
// of clock time, like a real sensor read out over I2C: value = emitted * gain + ambient + gaussian
// noise (clamped at zero), per-sample time jitter up to 5% of the interval (samples are taken up to
// that much early, never in the future of their batch), and 0.5% of samples dropped. Simulated racks
// run for hours of virtual time, so a sample costs well under 100 ns.
//
// Rack parameters: rate_hz (default 50, 20..1000), noise (0.02: sd relative to full scale), ambient
// (0.03 offset), gain (255/96, so the default-brightness LED reads ~1.0 at full).
#pragma once

#include <cstdint>
#include <memory>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

struct SimSensorSettings {
  double rate_hz = 50;
  double noise = 0.02;
  double ambient = 0.03;
  double gain = 255.0 / 96.0;

  // Reads the rack's parameters, reporting bad ones to `diags`; defaults stand in for them.
  static SimSensorSettings read(const BackendSpec& spec, Diagnostics& diags);
};

class SimDevice;
class StatusLed;

// Built directly by tests and benchmarks; the rack builds it through sim_led_backend().
std::unique_ptr<ColourSensor> make_sim_colour_sensor(Clock& clock, StatusLed& led, std::string device_name,
                                                     const SimSensorSettings& settings, std::uint64_t seed);

BackendFactory<ColourSensor> sim_led_backend();

}  // namespace cyanrig::sim
