// The "sim" spdlog logger: what the simulated world does, at debug level, for whoever wants to see it.
#pragma once

#include <spdlog/spdlog.h>

namespace cyanrig::sim {

spdlog::logger& sim_log();

}  // namespace cyanrig::sim
