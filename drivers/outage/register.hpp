// Registers every outage backend: `sim`, `nftables`, `netem`, `link`, `command` and `gpio`.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_outage_backends(BackendRegistry& registry);

}  // namespace cyanrig
