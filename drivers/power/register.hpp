// Registers every power backend compiled in: sim, gpiod, command.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_power_backends(BackendRegistry& registry);

}  // namespace cyanrig
