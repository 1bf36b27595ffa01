// The DFU flasher of the `tty` and `usb` serial backends: DfuAttempt's order on real hardware. The
// port is where current_serial_port() finds it (the `tty` path, or the port the `usb` backend would
// pick by identity), asked for DFU mode with request_usb_mode(), and dfu-util runs as a ShellCommand
// (never blocking the loop; the rack's secret_env and the access token withheld).
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

class Clock;

// `withheld`: the variables dfu-util must not see (the rack's secret_env; the token never).
std::unique_ptr<DfuFlasher> make_dfu_util_flasher(Clock& clock, const RackDevice& device,
                                                  std::vector<std::string> withheld);

BackendFactory<DfuFlasher> dfu_util_flasher_backend();

}  // namespace cyanrig
