// One device going through the steps of one repeat. The ScenarioRun owns flows; step handlers and
// waits borrow them for the length of a step.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rig/clock.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

struct Flow {
  DeviceBackends* backends = nullptr;
  int repeat = 0;
  std::size_t step = 0;
  bool done = false;
  bool at_barrier = false;
  std::map<std::string, Instant> marks;
  Instant step_started;
  // The wait in progress: its timers and timeline listeners go when the step ends.
  std::vector<Timer> timers;
  std::vector<Timeline::ListenerId> listeners;
  std::uint64_t generation = 0;  // bumps when a step ends, so late answers are ignored

  const RackDevice& device() const { return *backends->device; }
  const std::string& name() const { return backends->device->name; }
};

}  // namespace cyanrig
