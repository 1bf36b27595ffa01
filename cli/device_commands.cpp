// `cyanrig device disable NAME --reason TEXT` and `cyanrig device enable NAME`: take a device out of
// service (runs skip it, reported as skipped with the reason, never failed) and back, without editing
// the rack file: the state lives in the rack's maintenance file (rig/rack/maintenance_file.hpp).
#include <fmt/chrono.h>
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "rig/lock/lock_holder.hpp"
#include "rig/rack/maintenance_file.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::cli {
namespace {

struct DeviceArgs {
  std::string device;
  std::string reason;
  std::string rack;
};

// The rack as its file says, before the maintenance state is applied (which may name a device the
// rack no longer has: enable must still be able to forget it).
std::optional<Rack> rack_without_state(const std::string& path) {
  if (path.empty()) {
    fmt::print(stderr,
               "cyanrig: the built-in simulated rack has no file to keep maintenance next to; give --rack\n");
    return std::nullopt;
  }
  Diagnostics diags;
  const auto text = read_text_file(path, diags);
  auto rack = text ? parse_rack(*text, path, diags) : std::nullopt;
  if (!rack || !diags.empty()) {
    print_diagnostics(diags);
    return std::nullopt;
  }
  return rack;
}

std::optional<MaintenanceState> state_of(const Rack& rack) {
  Diagnostics diags;
  auto state = read_maintenance_state(rack.maintenance_file, diags);
  if (!state) print_diagnostics(diags);
  return state;
}

int save(const Rack& rack, const MaintenanceState& state) {
  if (const std::string error = write_maintenance_state(rack.maintenance_file, state); !error.empty()) {
    fmt::print(stderr, "cyanrig: {}\n", error);
    return kExitInfrastructure;
  }
  return kExitPass;
}

int cmd_device_disable(const DeviceArgs& args) {
  const auto rack = rack_without_state(args.rack);
  if (!rack) return kExitInvalid;
  const RackDevice* device = rack->find_device(args.device);
  if (device == nullptr) {
    fmt::print(stderr, "cyanrig: no device '{}' in rack '{}' ({})\n", args.device, rack->name, rack->file);
    return kExitInvalid;
  }
  auto state = state_of(*rack);
  if (!state) return kExitInvalid;
  const LockHolder me = LockHolder::self("device disable", "", std::nullopt);
  MaintenanceEntry& entry = (*state)[device->name];
  entry = {args.reason, me.since, me.user};
  if (const int code = save(*rack, *state); code != kExitPass) return code;
  fmt::print("{}: under maintenance: {} (kept in {})\n", device->name, describe(entry),
             rack->maintenance_file);
  return kExitPass;
}

int cmd_device_enable(const DeviceArgs& args) {
  const auto rack = rack_without_state(args.rack);
  if (!rack) return kExitInvalid;
  auto state = state_of(*rack);
  if (!state) return kExitInvalid;
  const RackDevice* device = rack->find_device(args.device);
  const std::string name = device != nullptr ? device->name : args.device;
  if (state->erase(name) == 0) {
    if (device == nullptr) {
      fmt::print(stderr, "cyanrig: no device '{}' in rack '{}' ({}), nor in {}\n", args.device, rack->name,
                 rack->file, rack->maintenance_file);
      return kExitInvalid;
    }
    fmt::print("{}: was not disabled{}\n", name,
               device->maintenance
                   ? fmt::format(" here; the rack file itself says maintenance: {}", *device->maintenance)
                   : "");
    return kExitPass;
  }
  if (const int code = save(*rack, *state); code != kExitPass) return code;
  fmt::print("{}: back in service{}\n", name,
             device != nullptr && device->maintenance
                 ? fmt::format(", but the rack file still says maintenance: {}", *device->maintenance)
                 : "");
  return kExitPass;
}

}  // namespace

void add_device_commands(CLI::App& app, Subcommands& commands) {
  auto* device = app.add_subcommand("device", "Take a rack device out of service, or back");
  device->require_subcommand(1);
  auto args = std::make_shared<DeviceArgs>();
  auto* disable = device->add_subcommand(
      "disable", "Put DEVICE under maintenance: runs skip it (junit skipped, with the reason) until enabled");
  auto* enable = device->add_subcommand("enable", "Take DEVICE out of maintenance");
  for (auto* command : {disable, enable}) {
    command->add_option("device", args->device, "Device name or ID in the rack")->required();
    command->add_option("--rack", args->rack, "Rack file")->required();
  }
  disable->add_option("--reason", args->reason, "Why, for whoever reads the results")->required();
  commands.on(disable, [args] { return cmd_device_disable(*args); });
  commands.on(enable, [args] { return cmd_device_enable(*args); });
}

}  // namespace cyanrig::cli
