// A colour sensor over a device's status LED, delivering raw RGB(C) samples in batches, and the
// colour correction its slot's calibration gives (rig/led/calibration.hpp), if any.
#pragma once

#include <functional>
#include <optional>
#include <span>
#include <string>

#include "rig/capabilities/status.hpp"
#include "rig/core/time.hpp"
#include "rig/led/channel_matrix.hpp"

namespace cyanrig {

struct RgbSample {
  Instant t;
  float r = 0, g = 0, b = 0;  // linear intensity, sensor units (counts or 0-1)
  float c = -1;               // clear channel when the sensor has one, else negative
};

class ColourSensor {
 public:
  struct Listener {
    std::function<void(std::span<const RgbSample>)> on_samples;
    std::function<void(HardwareFault)> on_fault;
  };

  virtual ~ColourSensor() = default;
  virtual void start(Listener listener) = 0;
  virtual void stop() = 0;
  virtual std::string describe() const = 0;
  // The correction the LED decoder names colours through (LedDecoderOptions::colour_correction):
  // readings above dark -> the canonical sensor's, from the rack's calibration file. The samples stay
  // raw: their noise is the sensor's own, even and independent per channel, which a correction applied
  // to them would mix and amplify (docs/led.md, "Calibration").
  virtual std::optional<ChannelMatrix> colour_correction() const { return std::nullopt; }
};

}  // namespace cyanrig
