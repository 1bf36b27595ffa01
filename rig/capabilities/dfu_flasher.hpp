// Puts one device into DFU mode and writes a known-good application into it over USB: the pre-run
// health check's `dfu_flash` recover step. Built from the device's serial backend, since whatever
// opens the device's USB serial port can ask for DFU mode by opening it at 14400 baud
// (particle-reference.md §7); a serial backend that cannot (a serial server over TCP sets the rate
// itself) has no DFU flasher, and a rack asking it for dfu_flash does not validate.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "rig/capabilities/status.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

// A known-good application binary, checked when the rack was read (its module prefix names the
// device's platform and a user part; rig/core/particle_module.hpp).
struct DfuImage {
  std::string file;           // written as it is
  std::uint32_t address = 0;  // where: its module prefix's start address
  std::uintmax_t bytes = 0;
};

// How long asking for DFU mode may go on by default: a device crashing at boot has its port only
// between resets (an SOS takes ~10 s), so one request may go unheard.
inline constexpr Duration kDfuWaitDefault = std::chrono::seconds(30);
// Writing the image once the device is in DFU mode (particle's own flashing tool allows 2 minutes).
inline constexpr Duration kDfuWriteLimit = std::chrono::minutes(2);

class DfuFlasher {
 public:
  struct Listener {
    // Each hardware action as it starts, in the user's words, for the timeline: "opened
    // /dev/ttyACM0 at 14400 baud", the dfu-util command line.
    std::function<void(const std::string& action)> on_action;
    // Once, on the loop: the device left DFU mode running the image, or why not (dfu-util's own
    // message, the port that could not be opened). The caller adds the device's name.
    Done on_done;
  };

  virtual ~DfuFlasher() = default;
  // Asks for DFU mode for up to `wait` (again whenever the device's port comes back without it), then
  // writes `image` at its address and has the device leave DFU mode, within `wait` + kDfuWriteLimit.
  virtual void flash(const DfuImage& image, Duration wait, Listener listener) = 0;
  virtual std::string describe() const = 0;
};

}  // namespace cyanrig
