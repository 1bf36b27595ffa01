// Which devices are under maintenance, as `cyanrig device disable|enable` keep it: a small YAML file
// next to the rack file (Rack::maintenance_file), so that taking a device out of service changes no
// file under version control and survives a reboot.
//
//   # written by cyanrig device disable|enable
//   argon-2: {reason: USB cable flaky, since: 2026-12-07T10:15:02Z, by: alice}
#pragma once

#include <map>
#include <optional>
#include <string>

#include "rig/core/diagnostic.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

struct MaintenanceEntry {
  std::string reason;
  std::string since;  // UTC
  std::string by;     // Unix user
};

// By device name.
using MaintenanceState = std::map<std::string, MaintenanceEntry>;

// The state in `path`; empty when there is no such file. Problems at file:line:col.
std::optional<MaintenanceState> read_maintenance_state(const std::string& path, Diagnostics& diags);
// Replaces the file whole (written beside it, then renamed over it); empty, or why it failed.
std::string write_maintenance_state(const std::string& path, const MaintenanceState& state);

// Sets RackDevice::maintenance for each device the rack's maintenance file names ("USB cable flaky
// (disabled by alice since 2026-12-07T10:15:02Z)"); a name the rack does not have is an error
// there. False when there were problems.
bool apply_maintenance_state(Rack& rack, Diagnostics& diags);

// What RackDevice::maintenance says for an entry.
std::string describe(const MaintenanceEntry& entry);

}  // namespace cyanrig
