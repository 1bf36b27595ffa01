// Registers the `sim` backend of every capability: power, serial, led, outage and cloud.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_sim_backends(BackendRegistry& registry);

}  // namespace cyanrig
