// Registers every cloud backend: `sim`, and the Particle Cloud API over HTTPS (`particle`), Boost.Beast +
// OpenSSL.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_cloud_backends(BackendRegistry& registry);

}  // namespace cyanrig
