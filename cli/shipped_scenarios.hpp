// Shipped scenarios, found by name from any folder: `cyanrig run orphan_check`.
//
// Where they are looked for, in order: every folder in $CYANRIG_SCENARIOS (colon-separated), then
// ./scenarios, then the installed share folder next to the binary (<prefix>/share/cyanrig/scenarios
// for <prefix>/bin/cyanrig), then the checkout the binary was built in (build/<preset>/cyanrig).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace cyanrig::cli {

// The folders above that exist, in order.
std::vector<std::filesystem::path> scenario_folders();

// Every shipped scenario (name -> file), the first folder that has a name winning.
std::vector<std::pair<std::string, std::filesystem::path>> shipped_scenarios();

struct ScenarioChoice {
  std::string file;     // the file to read; empty when `arg` names none
  std::string problem;  // why not: "orphan_chek: no such scenario file, ... (did you mean orphan_check?)"
};

// `arg` as given: an existing file, or the name of a shipped scenario (with or without .yaml).
ScenarioChoice find_scenario(const std::string& arg);

}  // namespace cyanrig::cli
