// One named spdlog logger per component ("sim", "gpiod", "serial", ...), sharing the default
// logger's sinks, so every component writes wherever the application sends its logs.
#pragma once

#include <spdlog/spdlog.h>

#include <string>

namespace cyanrig {

// The logger called `name`, made on first use as a clone of the default logger.
spdlog::logger& component_log(const std::string& name);

}  // namespace cyanrig
