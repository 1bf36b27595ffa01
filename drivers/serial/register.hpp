// Registers every serial backend: `sim`, `tty` (tty/pty through termios), `tcp` (raw TCP) and `usb`.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_serial_backends(BackendRegistry& registry);

}  // namespace cyanrig
