// A hardware action's outcome: nothing, or a fault that names what failed and why.
// Faults are values recorded on the timeline as infrastructure errors, never exceptions.
#pragma once

#include <functional>
#include <optional>
#include <string>

namespace cyanrig {

struct HardwareFault {
  std::string message;  // e.g. "gpiochip2 line 17: no such chip"; the caller adds the device name
};

using Status = std::optional<HardwareFault>;  // empty = success
using Done = std::function<void(Status)>;

inline Status fault(std::string message) {
  return HardwareFault{std::move(message)};
}

}  // namespace cyanrig
