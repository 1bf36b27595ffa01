// Outage backend `sim`: takes the cloud, the internet, DNS or the link away from one simulated
// network segment (drivers/sim/network_segment.hpp says what each mode does).
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

BackendFactory<OutageSwitch> sim_outage_backend();

}  // namespace cyanrig::sim
