// What every room of a run shares: the scenario and rack it runs, its clock (the one event loop) and
// its timeline. Rooms borrow it; the ScenarioRun owns what it refers to.
#pragma once

#include "rig/clock.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

struct RunContext {
  const Scenario& scenario;
  const Rack& rack;
  Clock& clock;
  Timeline& timeline;
};

}  // namespace cyanrig
