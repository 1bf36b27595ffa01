// Registers every serial backend: `sim`, `tty` (tty/pty through termios), `tcp` (raw TCP) and `usb`,
// and the DFU flasher each offers (`tcp` none: it only says why).
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_serial_backends(BackendRegistry& registry);

}  // namespace cyanrig
