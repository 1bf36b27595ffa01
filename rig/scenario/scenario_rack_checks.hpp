// The checks of a scenario against a rack (scenario_rack_checks.cpp). check_scenario_against_rack,
// which runs them all, is declared with the readers in scenario_file.hpp.
#pragma once

#include "rig/core/diagnostic.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig {

// Events the scenario names that only the rack's `patterns` define: an error for each the rack lacks.
void check_rack_events(const Scenario& scenario, const Rack& rack, Diagnostics& diags);

}  // namespace cyanrig
