// Switches one device's supply (relay, USB hub port, smart plug, or a simulated device).
#pragma once

#include <string>
#include <string_view>

#include "rig/capabilities/status.hpp"

namespace cyanrig {

enum class PowerState { off, on };
inline std::string_view to_string(PowerState s) {
  return s == PowerState::on ? "on" : "off";
}

class PowerSwitch {
 public:
  virtual ~PowerSwitch() = default;
  // Drives the supply to `state` and calls done on the loop once it is there (or failed).
  virtual void set(PowerState state, Done done) = 0;
  // Human description of where the power comes from, for logs and errors ("gpiochip0 line 17").
  virtual std::string describe() const = 0;
};

}  // namespace cyanrig
