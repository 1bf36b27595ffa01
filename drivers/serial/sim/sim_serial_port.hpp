// Serial backend `sim`: a simulated device's USB serial port (drivers/sim/usb_serial.hpp).
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

BackendFactory<SerialPort> sim_serial_backend();

}  // namespace cyanrig::sim
