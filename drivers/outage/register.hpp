// Registers the real outage backends: `nftables`, `netem`, `link`, `command` and `gpio`.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_outage_hw_backends(BackendRegistry& registry);

}  // namespace cyanrig
