// Scenario files (rig/scenario, rig/yaml): a scenario, or every problem as `file:line:col`; then
// the checks against the built-in rack and every backend compiled in. Promises: problems have a
// position and a message, and a scenario that reads has steps.
#include <cstdint>
#include <string>

#include "drivers/all_backends.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"
#include "tests/fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using cyanrig::fuzz::check;
  static const cyanrig::Rack kRack = cyanrig::builtin_sim_rack();
  const std::string text(reinterpret_cast<const char*>(data), size);
  cyanrig::Diagnostics diags;
  const auto scenario = cyanrig::parse_scenario(text, "fuzz.yaml", diags, &kRack);
  check(scenario.has_value() == diags.empty(), "a scenario, or problems");
  cyanrig::fuzz::check_positions(diags);
  if (!scenario) return 0;
  check(!scenario->steps.empty(), "a scenario has steps");
  cyanrig::Diagnostics rack_diags;
  cyanrig::check_scenario_against_rack(*scenario, kRack, rack_diags, &cyanrig::all_backends());
  cyanrig::fuzz::check_positions(rack_diags);
  return 0;
}
