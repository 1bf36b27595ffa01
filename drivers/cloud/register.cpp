#include "drivers/cloud/register.hpp"

#include "drivers/cloud/particle/particle_cloud.hpp"

namespace cyanrig {

void register_cloud_hw_backends(BackendRegistry& registry) {
  registry.add<Cloud>("particle", particle_cloud_backend());
}

}  // namespace cyanrig
