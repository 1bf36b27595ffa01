// LED backend `tcs34725`: a TCS34725 colour sensor over the device's status LED, on Linux i2c-dev,
// optionally behind a TCA9548A multiplexer channel (docs/drivers.md, "Status LED sensors").
//
//   led: {backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x70, channel: 3}, address: 0x29,
//         integration: 4.8ms, gain: 16x, rate: 200Hz, auto_gain: true, calibration: led-calibration.yaml}
//
// Building the backend opens the bus (shared with the rack's other sensors on it) and checks the
// sensor's ID, so a missing sensor fails the run's setup. start() hands the sensor to its bus's reader
// thread; samples reach the listener on the loop in batches every 50 ms, as counts per 2.4 ms cycle
// at 1x gain (so auto-gain steps do not show), always raw; the calibration file's entry for the
// device, if any, gives colour_correction() (rig/led/calibration.hpp).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "drivers/led/tcs34725/tcs34725_poller.hpp"
#include "rig/led/calibration_file.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

struct Tcs34725Params {
  SensorLocation where;
  Tcs34725Settings settings;
  std::string calibration_file;  // resolved against the rack file's folder
};

// Reads the rack's parameters; problems go to diags at file:line:col. `rack_file` places the
// calibration file.
std::optional<Tcs34725Params> read_tcs34725_params(const BackendSpec& spec, const std::string& rack_file,
                                                   Diagnostics& diags);

// Builds the sensor for `site` (a device whose led backend is tcs34725). Throws std::runtime_error
// naming the sensor's location and the cause.
std::unique_ptr<ColourSensor> make_tcs34725_sensor(const BackendSite& site, BackendContext& ctx,
                                                   CalibrationUse calibration);

BackendFactory<ColourSensor> tcs34725_led_backend();

}  // namespace cyanrig
