#include "drivers/sim/sim_log.hpp"

#include "rig/core/component_log.hpp"

namespace cyanrig::sim {

spdlog::logger& sim_log() {
  return component_log("sim");
}

}  // namespace cyanrig::sim
