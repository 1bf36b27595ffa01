// Registers the real serial transports: `tty` (tty/pty through termios) and `tcp` (raw TCP).
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_serial_hw_backends(BackendRegistry& registry);

}  // namespace cyanrig
