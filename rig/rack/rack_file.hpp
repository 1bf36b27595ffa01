// Reading rack files (docs/racks.md). Every problem is reported as file:line:col; nothing here
// touches hardware.
#pragma once

#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "rig/core/diagnostic.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

std::optional<Rack> load_rack_file(const std::string& path, Diagnostics& diags);

// A path written in the rack file: `~/...` expanded with $HOME, then a relative path taken from
// `rack_file`'s folder (the rack file travels with its token, CA and firmware files, not the
// shell's cwd).
std::filesystem::path resolve_rack_path(std::string_view written, const std::filesystem::path& rack_file);
std::optional<Rack> parse_rack(const std::string& text, const std::string& file, Diagnostics& diags);
// The same from a loaded YAML document.
std::optional<Rack> read_rack(const YAML::Node& root, const std::string& file, Diagnostics& diags);
// A document whose top level names a rack (`rack:`), not a scenario.
bool is_rack_document(const YAML::Node& root);

// `patterns:` in a rack or scenario file: a list of {event: name, regex: '...'}.
std::vector<EventPattern> read_event_patterns(const YAML::Node& node, const std::string& file,
                                              Diagnostics& diags);

// The built-in simulated rack: 8 devices (photons, argons, borons, p2s); the same text ships as
// scenarios/racks/sim.yaml.
constexpr const char* kBuiltinRackName = "<built-in simulated rack>";
Rack builtin_sim_rack();

// Asks every backend named in the rack to check its parameters, then looks for conflicts.
void validate_rack_backends(const Rack& rack, const BackendRegistry& registry, Diagnostics& diags);

// One thing in the lab used twice (BackendFactory::claims: a gpio line, a serial port, an I2C mux
// channel), each reported at the second use naming the first.
void check_rack_conflicts(const Rack& rack, const BackendRegistry& registry, Diagnostics& diags);

// True when every backend in the rack lives in simulated time (BackendFactory::virtual_time): the
// run then uses the virtual clock.
bool rack_is_simulated(const Rack& rack, const BackendRegistry& registry);

// The outage modes one of a segment's backends performs (BackendFactory::modes).
std::vector<OutageMode> outage_modes(const BackendSpec& spec, const Segment& segment,
                                     const BackendRegistry& registry);
// Which of the segment's outage backends performs `mode`: the first that declares it.
std::optional<std::size_t> outage_backend_for(const Segment& segment, OutageMode mode,
                                              const BackendRegistry& registry);

}  // namespace cyanrig
