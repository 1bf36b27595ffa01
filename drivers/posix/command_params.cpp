#include "drivers/posix/command_params.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "drivers/posix/shell_command.hpp"
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

std::vector<std::string> read_pass_env(MapReader& params) {
  std::vector<std::string> names = params.text_list("pass_env");
  for (const char* never : kNeverPassedVariables) {
    if (std::find(names.begin(), names.end(), never) != names.end()) {
      params.error("pass_env",
                   fmt::format("{} is never passed to a command; the rig itself talks to the cloud", never));
    }
  }
  return names;
}

std::vector<std::string> withheld_variables(const Rack& rack, const std::vector<std::string>& pass_env) {
  std::vector<std::string> out;
  for (const std::string& name : rack.secret_env) {
    if (std::find(pass_env.begin(), pass_env.end(), name) == pass_env.end()) out.push_back(name);
  }
  return out;
}

}  // namespace cyanrig
