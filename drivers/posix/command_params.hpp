// Rack-file parameters shared by the command backends (power and outage).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/core/time.hpp"
#include "rig/rack/rack.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {

// Rack-file parameters of the command backends (power and outage): a shell command that is not
// blank, and a `timeout` above 0 and at most `max` (`why` says where the limit comes from).
std::optional<std::string> read_shell_command(MapReader& params, std::string_view key, bool required);
std::optional<Duration> read_command_timeout(MapReader& params, Duration max, std::string_view why);

// `pass_env: [SMARTPLUG_KEY]`: variables the rack marks secret (`secret_env`) that these commands may
// see nonetheless. PARTICLE_ACCESS_TOKEN is never passed: naming it is an error.
std::vector<std::string> read_pass_env(MapReader& params);
// The variables a backend's commands must not see: the rack's secret_env less `pass_env`.
std::vector<std::string> withheld_variables(const Rack& rack, const std::vector<std::string>& pass_env);

}  // namespace cyanrig
