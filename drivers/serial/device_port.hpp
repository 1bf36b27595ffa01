// Where a rack device's serial port is right now, from its rack-file serial backend: the `tty`
// path, or the port the `usb` backend would pick by identity. Used by rig actions that must open
// the port themselves, such as putting a device into DFU or listening mode by baud rate.
#pragma once

#include <string>
#include <variant>

#include "rig/capabilities/status.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

struct PortPath {
  std::string path;
};
struct PortProblem {
  bool usage = false;   // the rack cannot say (no serial backend, or one without a local port)
  std::string message;  // names the device and the cause
};

std::variant<PortPath, PortProblem> current_serial_port(const RackDevice& device);

// Opens the device's port at 14400 baud (DFU mode) or 28800 baud (listening mode) and closes it
// again, as particle-cli does (particle-reference.md §7).
enum class UsbMode { dfu, listening };
int trigger_baud(UsbMode mode);
Status request_usb_mode(const std::string& path, UsbMode mode);

}  // namespace cyanrig
