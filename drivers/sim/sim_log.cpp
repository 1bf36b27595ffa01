#include "drivers/sim/sim_log.hpp"

namespace cyanrig::sim {

spdlog::logger& sim_log() {
  // Shares the default logger's sinks, so it writes wherever the application sends its logs.
  static const std::shared_ptr<spdlog::logger> logger = [] {
    if (auto existing = spdlog::get("sim")) return existing;
    auto made = spdlog::default_logger()->clone("sim");
    spdlog::register_logger(made);
    return made;
  }();
  return *logger;
}

}  // namespace cyanrig::sim
