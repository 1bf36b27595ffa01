// LedDecoder: RGB samples from a colour sensor -> LED states with start times. Pure and
// deterministic: the same samples always give the same states. Used for every simulated run and
// for real sensors alike.
#pragma once

#include <memory>
#include <span>
#include <vector>

#include "rig/capabilities/colour_sensor.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig {

class LedDecoder {
 public:
  LedDecoder();
  ~LedDecoder();
  LedDecoder(LedDecoder&&) noexcept;
  LedDecoder& operator=(LedDecoder&&) noexcept;

  // Feed samples in time order (any rate >= 40 Hz, gaps allowed). Returns the states that became
  // known with these samples, in order; each is reported once.
  std::vector<LedStateChange> feed(std::span<const RgbSample> samples);
  // End of the trace: name whatever is pending as best the samples allow.
  std::vector<LedStateChange> finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace cyanrig
