// LED backend `sim`: a colour sensor looking at a simulated device's status LED.
//
// It reads what the device's LedAnimator emits at each sample time through the realistic optical
// model (led_optics.hpp: the TCS34725's channel crosstalk, channel gains, the LED's dies, room light
// with infrared, drifting slowly), adds gaussian noise (clamped at zero, as counts are), and
// delivers a batch every 200 ms of clock time, like a real sensor read out over I2C: per-sample time
// jitter up to 5% of the interval (samples are taken up to that much early, never in the future of
// their batch), and 0.5% of samples dropped. Like the tcs34725 backend it honours the rack's
// calibration file (rig/led/calibration.hpp): a device's entry gives its colour_correction().
// Simulated racks run for hours of virtual time, so a sample costs well under 100 ns.
//
// Rack parameters: rate_hz (default 50, 20..1000), noise (0.02: sd relative to full scale), ambient
// (0.03: the room light's level), gain (255/96, so the default-brightness LED's dies read ~1.0 on
// their own channels), optics (`device`, the default: this device's own sensor and LED, drawn from
// the variants' spread by its device id, the same every run; `ideal`: no crosstalk, exact gains, a
// nominal LED; or a named variant such as `crosstalk_high`), calibration (the calibration file,
// default led-calibration.yaml next to the rack file).
//
// A lab fault for tests of verdicts (docs/drivers.md): gone_after (a duration) makes the sensor stop
// answering that long after it first started, as an I2C sensor that is unplugged does: no samples
// after that, and one fault naming the cause, as the tcs34725 backend reports its reads failing.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "drivers/led/sim/led_optics.hpp"
#include "rig/led/calibration.hpp"
#include "rig/led/calibration_file.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

struct SimSensorSettings {
  double rate_hz = 50;
  double noise = 0.02;
  double ambient = 0.03;
  double gain = 255.0 / 96.0;
  std::string optics = "device";
  std::optional<std::string> calibration;
  std::optional<Duration> gone_after;

  // Reads the rack's parameters, reporting bad ones to `diags`; defaults stand in for them.
  static SimSensorSettings read(const BackendSpec& spec, Diagnostics& diags);
  // The sensor and LED of the device `device_key` (its id on a rack) names.
  LedOptics optics_for(std::string_view device_key) const;
};

class SimDevice;
class StatusLed;

// Built directly by tests and benchmarks; the rack builds it through sim_led_backend(). The optics
// are settings.optics_for(device_name); `calibration`, when given, gives colour_correction().
std::unique_ptr<ColourSensor> make_sim_colour_sensor(
    Clock& clock, StatusLed& led, std::string device_name, const SimSensorSettings& settings,
    std::uint64_t seed, std::optional<LedCalibration> calibration = std::nullopt);

// The rack's sim sensor of `site`, with or without the rack's calibration file (`cyanrig led
// calibrate` measures raw readings). Throws std::runtime_error for an unreadable calibration file.
std::unique_ptr<ColourSensor> make_sim_led_sensor(const BackendSite& site, BackendContext& ctx,
                                                  CalibrationUse calibration);

BackendFactory<ColourSensor> sim_led_backend();

}  // namespace cyanrig::sim
