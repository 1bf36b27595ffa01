// Running scenarios on the simulated rack from tests: the built-in rack, optionally cut down to some
// devices and carrying faults, and a copy of every timeline event for assertions.
#pragma once

#include <string>
#include <vector>

#include "rig/engine/engine.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig::test {

struct Fault {
  std::string device;
  std::string name;
  double probability = 1.0;
};

// The built-in simulated rack, keeping only `devices` (all when empty), with `faults` added.
Rack sim_rack(const std::vector<std::string>& devices = {}, const std::vector<Fault>& faults = {});

// Sets a parameter of a backend block (a copy of it: blocks from `defaults:` are shared), e.g. a sim
// backend's lab fault: set_param(rack.segments[0].outages[0], "misses", "true").
void set_param(BackendSpec& spec, const std::string& key, const std::string& yaml_value);
RackDevice& device_of(Rack& rack, const std::string& name);

Scenario shipped_scenario(const std::string& name);
Scenario scenario_from_text(const std::string& yaml);

struct Outcome {
  RunReport report;
  std::vector<Event> events;  // a copy of the run's timeline

  const CaseResult* failed_case(const std::string& device) const;
  std::string failures() const;  // every failure, one per line, for assertion messages
  const DeviceSummary* device(const std::string& name) const;
  std::size_t count(EventKind kind, const std::string& name, const std::string& device = "") const;
};

Outcome run(const Scenario& scenario, const Rack& rack, std::uint64_t seed = 1,
            const BackendRegistry* registry = nullptr, const std::filesystem::path& results_root = {},
            bool health_check = true);

}  // namespace cyanrig::test
