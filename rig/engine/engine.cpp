#include "rig/engine/engine.hpp"

#include "rig/engine/scenario_run.hpp"

namespace cyanrig {

RunReport run_scenario(const Scenario& scenario, const Rack& rack, const BackendRegistry& registry,
                       const RunOptions& options) {
  ScenarioRun run(scenario, rack, registry, options);
  return run.execute();
}

}  // namespace cyanrig
