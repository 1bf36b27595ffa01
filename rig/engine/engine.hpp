// Runs a scenario on a rack: one event loop, every device's flow concurrent, shared steps (outages)
// once per segment behind a barrier, every wait with a deadline, one timeline, results on disk.
// docs/architecture.md describes the rooms the run is made of.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>

#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"
#include "rig/results/run_result.hpp"
#include "rig/scenario/scenario.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

struct RunOptions {
  std::uint64_t seed = 1;
  // Results go to <results_root>/<UTC time>-<scenario>/; empty = write nothing (tests, benchmarks).
  std::filesystem::path results_root = "results";
  // Called once the timeline exists, before anything happens: live progress displays subscribe here.
  std::function<void(Timeline&, const Scenario&)> observe;
  // Lift outages and drive safe power on SIGINT, SIGTERM and SIGHUP, then end the run as an
  // infrastructure error; SIGPIPE is ignored while the run goes (a closed stdout must not kill it).
  bool handle_signals = true;
  // Check every selected device before the first repeat (health_check.hpp).
  bool health_check = true;
};

struct RunReport {
  RunResult result;
  std::filesystem::path results_dir;  // empty when results were not written
};

// The scenario must already be valid for the rack (check_scenario_against_rack); anything that goes
// wrong from here on is a verdict (device / infrastructure / scenario), never an exception.
RunReport run_scenario(const Scenario& scenario, const Rack& rack, const BackendRegistry& registry,
                       const RunOptions& options);

}  // namespace cyanrig
