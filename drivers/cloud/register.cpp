#include "drivers/cloud/register.hpp"

#include "drivers/cloud/particle/particle_cloud.hpp"
#include "drivers/cloud/sim/sim_cloud.hpp"

namespace cyanrig {

void register_cloud_backends(BackendRegistry& registry) {
  registry.add<Cloud>("sim", sim::sim_cloud_backend());
  registry.add<Cloud>("particle", particle_cloud_backend());
}

}  // namespace cyanrig
