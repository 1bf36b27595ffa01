// Power backend `sim`: switches a simulated device's supply. Its validate() also checks the device's
// fault models (drivers/sim/faults.hpp), since only simulated devices have them.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

BackendFactory<PowerSwitch> sim_power_backend();

}  // namespace cyanrig::sim
