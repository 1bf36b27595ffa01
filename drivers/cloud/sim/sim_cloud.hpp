// Cloud backend `sim`: the simulated Particle cloud (drivers/sim/cloud_model.hpp) behind the Cloud
// capability.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

BackendFactory<Cloud> sim_cloud_backend();

}  // namespace cyanrig::sim
