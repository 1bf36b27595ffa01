// Rack-file parameters shared by the command backends (power and outage).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rig/core/time.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {

// Rack-file parameters of the command backends (power and outage): a shell command that is not
// blank, and a `timeout` above 0 and at most `max` (`why` says where the limit comes from).
std::optional<std::string> read_shell_command(MapReader& params, std::string_view key, bool required);
std::optional<Duration> read_command_timeout(MapReader& params, Duration max, std::string_view why);

}  // namespace cyanrig
