// One probe or one watch: a scenario (scenarios/canary.yaml, scenarios/canary_watch.yaml by default)
// run by the engine on the rack cut down to the devices it is for, so no other device's relay or
// segment is touched, writing no results. What it found is told per device.
#pragma once

#include <cstdint>
#include <vector>

#include "rig/monitor/probe_outcome.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig::monitor {

// The rack with only `devices` (by name), their segments and the rack's cloud.
Rack rack_of(const Rack& rack, const std::vector<const RackDevice*>& devices);

// One outcome per device, in the order given.
std::vector<ProbeOutcome> run_probe(const Scenario& probe, const Rack& rack,
                                    const std::vector<const RackDevice*>& devices,
                                    const BackendRegistry& registry, std::uint64_t seed);

}  // namespace cyanrig::monitor
