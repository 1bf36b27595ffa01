// A device's serial log as raw bytes with host arrival times. Framing into lines is the rig's job.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "rig/capabilities/status.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

class SerialPort {
 public:
  struct Listener {
    std::function<void(Instant arrival, std::string_view bytes)> on_bytes;
    // The port vanished (reset, power loss, sleep, DFU) or came back; also said once when the port
    // cannot be reached at all, with why ("cannot open /dev/ttyACM0: No such file or directory").
    std::function<void(bool attached, std::string detail)> on_link;
    // The port can never work as configured (the path is not a tty, permission denied): a lab
    // fault, named with the port and the system's reason. No more callbacks follow. May be empty.
    std::function<void(HardwareFault)> on_fault;
  };

  virtual ~SerialPort() = default;
  // Starts reading; keeps reattaching by identity until close(). Callbacks run on the loop.
  virtual void open(Listener listener) = 0;
  virtual void close() = 0;
  virtual std::string describe() const = 0;
};

}  // namespace cyanrig
