// Reading and validating scenario files. Every problem is reported as file:line:col, all at once.
#pragma once

#include <optional>
#include <string>

#include "rig/core/diagnostic.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig {

std::optional<Scenario> load_scenario_file(const std::string& path, Diagnostics& diags);
std::optional<Scenario> parse_scenario(const std::string& text, const std::string& file, Diagnostics& diags);

// The checks that need the rack: the selector matches a device, named segments exist, devices
// that are powered have power backends, and so on.
void check_scenario_against_rack(const Scenario& scenario, const Rack& rack, Diagnostics& diags);

}  // namespace cyanrig
