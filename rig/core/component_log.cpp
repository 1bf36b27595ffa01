#include "rig/core/component_log.hpp"

#include <map>
#include <mutex>

namespace cyanrig {

spdlog::logger& component_log(const std::string& name) {
  // Loggers are kept here as well as in spdlog's registry so the reference stays valid even if
  // someone drops them from the registry.
  static std::mutex mutex;
  static std::map<std::string, std::shared_ptr<spdlog::logger>> loggers;
  const std::lock_guard lock(mutex);
  auto& logger = loggers[name];
  if (!logger) {
    logger = spdlog::get(name);
    if (!logger) {
      logger = spdlog::default_logger()->clone(name);
      spdlog::register_logger(logger);
    }
  }
  return *logger;
}

}  // namespace cyanrig
