// Registers the Particle Cloud API over HTTPS (`particle`), Boost.Beast + OpenSSL.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_cloud_hw_backends(BackendRegistry& registry);

}  // namespace cyanrig
