// Serial backend `sim`: a simulated device's USB serial port (drivers/sim/usb_serial.hpp).
#pragma once

#include <string>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

// Lab faults of a simulated serial port (docs/drivers.md), for tests of verdicts:
//   missing: true     the port's path does not exist (a wrong path, a cable not plugged in)
//   not_a_tty: true   the path names something that is not a tty
struct SimSerialSettings {
  bool missing = false;
  bool not_a_tty = false;

  static SimSerialSettings read(const BackendSpec& spec, Diagnostics& diags);
};

// The path the simulated port goes by in messages: /dev/sim-<device name>.
std::string sim_port_path(const RackDevice& device);

BackendFactory<SerialPort> sim_serial_backend();

}  // namespace cyanrig::sim
