// A colour sensor over a device's status LED, delivering raw RGB(C) samples in batches.
#pragma once

#include <functional>
#include <span>
#include <string>

#include "rig/capabilities/status.hpp"
#include "rig/core/time.hpp"

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
};

}  // namespace cyanrig
