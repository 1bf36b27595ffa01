#include "drivers/posix/command_params.hpp"

#include <fmt/format.h>

#include "rig/core/duration_text.hpp"

namespace cyanrig {

std::optional<std::string> read_shell_command(MapReader& params, std::string_view key, bool required) {
  auto text = params.text(key, required);
  if (text && text->find_first_not_of(" \t") == std::string::npos) {
    params.error(key, fmt::format("'{}' must be a shell command, found an empty one", key));
    return std::nullopt;
  }
  return text;
}

std::optional<Duration> read_command_timeout(MapReader& params, Duration max, std::string_view why) {
  const auto timeout = params.duration("timeout");
  if (timeout && (*timeout <= Duration::zero() || *timeout > max)) {
    params.error("timeout", fmt::format("'timeout' must be more than 0s and at most {} ({}), found {}",
                                        format_duration(max), why, format_duration(*timeout)));
  }
  return timeout;
}

}  // namespace cyanrig
