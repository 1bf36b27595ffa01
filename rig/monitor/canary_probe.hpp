// One probe: the probe scenario (scenarios/canary.yaml by default) run by the engine on a rack cut
// down to the one device, so no other device's relay or segment is touched, writing no results.
#pragma once

#include <cstdint>

#include "rig/monitor/probe_outcome.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig::monitor {

// The rack with only `device` (by name), its segment and the rack's cloud.
Rack rack_of_one(const Rack& rack, const RackDevice& device);

ProbeOutcome run_probe(const Scenario& probe, const Rack& rack, const RackDevice& device,
                       const BackendRegistry& registry, std::uint64_t seed);

}  // namespace cyanrig::monitor
