// Reading and validating scenario files. Every problem is reported as file:line:col, all at once.
#pragma once

#include <yaml-cpp/yaml.h>

#include <optional>
#include <string>

#include "rig/core/diagnostic.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig {

// `rack`, when given, is the rack the scenario will run on: its log patterns are known events, so
// every unknown event is reported here with the other problems. Without it, events that are
// neither Device OS's nor the file's own are left for check_scenario_against_rack.
std::optional<Scenario> load_scenario_file(const std::string& path, Diagnostics& diags,
                                           const Rack* rack = nullptr);
std::optional<Scenario> parse_scenario(const std::string& text, const std::string& file, Diagnostics& diags,
                                       const Rack* rack = nullptr);
// The same from a loaded YAML document (`cyanrig validate` reads each file once).
std::optional<Scenario> read_scenario(const YAML::Node& root, const std::string& file, Diagnostics& diags,
                                      const Rack* rack = nullptr);

// The checks that need the rack: the selector matches a device, named segments exist, devices
// that are powered have power backends, and so on. With the registry, also that every outage
// step's mode has a backend on each segment it reaches.
void check_scenario_against_rack(const Scenario& scenario, const Rack& rack, Diagnostics& diags,
                                 const BackendRegistry* registry = nullptr);

}  // namespace cyanrig
