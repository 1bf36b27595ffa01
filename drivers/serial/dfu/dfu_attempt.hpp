// The order of a DFU flash, the same for real and simulated devices (docs/drivers.md, "DFU and
// listening mode through the serial port"):
//
// - ask for DFU mode by opening the device's port at 14400 baud, whenever the port (re)appears, and
//   again while it is still there 5 s after the last ask: a device crashing at boot has its port only
//   between resets, and a request made while it plays an SOS goes unheard;
// - run dfu-util every 500 ms meanwhile: "No DFU capable USB device available" is the normal answer
//   until the bootloader has enumerated;
// - stop at the first other answer: written (the device has left DFU mode running the image), or a
//   failure in dfu-util's own words; or, when the step's `wait` is over with no bootloader found, fail
//   with dfu-util's last answer and where the request was made.
//
// Hardware actions go to the listener as they start (the port opened, the dfu-util command line once).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "drivers/serial/dfu/dfu_util_command.hpp"
#include "rig/capabilities/dfu_flasher.hpp"
#include "rig/clock.hpp"

namespace cyanrig {

class DfuAttempt {
 public:
  // Where the device's serial port is now: its path when it is there, else why not.
  struct Port {
    std::optional<std::string> path;
    std::string problem;  // "cannot open /dev/ttyACM0: No such file or directory"
  };
  struct Hooks {
    std::function<Port()> look;
    std::function<Status(const std::string& path)> ask;  // open it at 14400 baud and close it
    // One dfu-util run; its answer on the loop, never inside the call. Destroying the attempt must
    // drop a run still going (the hooks' owner sees to it).
    std::function<void(std::function<void(DfuUtilAnswer)>)> run_dfu_util;
    std::string command_line;  // what the run is, for the timeline
  };

  // Starts on the loop; `listener.on_done` once, unless the attempt is destroyed first.
  DfuAttempt(Clock& clock, Hooks hooks, Duration wait, DfuFlasher::Listener listener);
  DfuAttempt(const DfuAttempt&) = delete;
  DfuAttempt& operator=(const DfuAttempt&) = delete;

 private:
  void tick();
  void look_at_port();
  void answered(const DfuUtilAnswer& answer);
  std::string never_in_dfu() const;
  void say(const std::string& action) const;
  void finish(const Status& status);

  Clock& clock_;
  Hooks hooks_;
  Duration wait_;
  Instant deadline_;
  DfuFlasher::Listener listener_;
  bool port_seen_ = false;        // there at the last look
  std::optional<Instant> asked_;  // the last request for DFU mode
  std::string asked_on_;          // ... made on this path
  std::string port_problem_;      // why the port could not be asked, last time
  Instant next_run_{};            // when dfu-util may run again
  bool running_ = false;          // a dfu-util run has not answered yet
  bool command_said_ = false;
  std::string no_device_;  // dfu-util's last "No DFU capable USB device available"
  bool finished_ = false;
  Timer tick_;  // last: cancelled before what it uses goes
};

}  // namespace cyanrig
