// `cyanrig power safe|on|off|cycle`: the rack's relays by hand. `power safe` drives every relay to the
// rack's safe state — what a run does at every exit, and what a systemd unit's ExecStopPost runs after
// a run that could not (deploy/systemd/). Each holds the rack's lock while it acts.
#include <fmt/format.h>

#include <memory>
#include <thread>

#include "cli/commands.hpp"
#include "cli/rack_bench.hpp"
#include "cli/rack_choice.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig::cli {
namespace {

struct PowerArgs {
  std::string device;
  std::string rack;
  Duration lock_wait{0};
  std::string off_for;  // `cycle`: empty for the device's (or the rack's) min_off
};

// Switches one device; prints what happened; false on a fault.
bool switch_device(RackBench& bench, const RackDevice& device, PowerState state, const std::string& note) {
  auto power = bench.build<PowerSwitch>(BackendSite{*device.power, &device}, device.name);
  if (!power) return false;
  const Status status = bench.await([&](Done done) { power->set(state, std::move(done)); });
  if (!status.ok()) {
    fmt::print("{}: power {} failed: {}\n", device.name, to_string(state), status.message());
    return false;
  }
  fmt::print("{}: power {}{}\n", device.name, to_string(state), note);
  return true;
}

int cmd_power_safe(const PowerArgs& args) {
  auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const auto lock = lock_rack(*rack, {.command = "power safe", .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  RackBench bench(std::move(*rack));
  const Rack& r = bench.rack();
  bool all = true;
  bool first_on = true;
  for (const RackDevice& device : r.devices) {
    if (!device.power) {
      fmt::print("{}: no power backend in the rack; left as it is\n", device.name);
      continue;
    }
    // Switching on together draws inrush current: the rack's spacing applies here too.
    if (r.safe_power == PowerState::on && !first_on) std::this_thread::sleep_for(r.power_on_spacing);
    first_on = false;
    all = switch_device(bench, device, r.safe_power, " (the rack's safe state)") && all;
  }
  return all ? kExitPass : kExitInfrastructure;
}

// The device named on the command line, with a power backend; nullptr with the reason printed.
const RackDevice* powered_device(const Rack& rack, const std::string& name) {
  const RackDevice* device = rack.find_device(name);
  if (device == nullptr) {
    fmt::print(stderr, "cyanrig: no device '{}' in rack '{}' ({})\n", name, rack.name, rack.file);
  } else if (!device->power) {
    fmt::print(stderr, "cyanrig: {} has no power backend in rack '{}' ({})\n", device->name, rack.name,
               rack.file);
    device = nullptr;
  }
  return device;
}

int cmd_power_set(const PowerArgs& args, const std::string& verb) {
  auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const RackDevice* device = powered_device(*rack, args.device);
  if (device == nullptr) return kExitInvalid;
  std::optional<Duration> off_for;
  if (verb == "cycle") {
    off_for = device->min_off.value_or(rack->min_off);
    if (!args.off_for.empty()) {
      const DurationParse parsed = parse_duration(args.off_for);
      if (!parsed.value) {
        fmt::print(stderr, "cyanrig: --off-for: {}\n", parsed.error);
        return kExitInvalid;
      }
      off_for = std::max(*parsed.value, *off_for);  // never shorter than the supply needs
    }
  }
  const std::string name = device->name;
  const auto lock = lock_rack(*rack, {.command = "power " + verb + " " + name, .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  RackBench bench(std::move(*rack));
  const RackDevice& target = *bench.rack().find_device(name);
  if (verb == "on") return switch_device(bench, target, PowerState::on, "") ? kExitPass : kExitInfrastructure;
  if (!switch_device(bench, target, PowerState::off, "")) return kExitInfrastructure;
  if (verb == "off") return kExitPass;
  std::this_thread::sleep_for(*off_for);
  return switch_device(bench, target, PowerState::on, fmt::format(" after {} off", format_duration(*off_for)))
             ? kExitPass
             : kExitInfrastructure;
}

}  // namespace

void add_power_commands(CLI::App& app, Subcommands& commands) {
  auto* power = app.add_subcommand("power", "Switch the rack's relays by hand (holds the rack's lock)");
  power->require_subcommand(1);
  auto args = std::make_shared<PowerArgs>();
  auto* safe = power->add_subcommand(
      "safe", "Drive every relay to the rack's safe state (safe_power); exit 3 if one cannot be switched");
  auto* on = power->add_subcommand("on", "Switch DEVICE's supply on");
  auto* off = power->add_subcommand("off", "Switch DEVICE's supply off");
  auto* cycle =
      power->add_subcommand("cycle", "Switch DEVICE off, wait (its min_off, or --off-for), switch it on");
  for (auto* command : {safe, on, off, cycle}) {
    command->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
    add_lock_wait_option(*command, args->lock_wait);
  }
  for (auto* command : {on, off, cycle}) {
    command->add_option("device", args->device, "Device name or ID in the rack")->required();
  }
  cycle->add_option("--off-for", args->off_for, "How long to keep it off (at least its min_off)");
  commands.on(safe, [args] { return cmd_power_safe(*args); });
  commands.on(on, [args] { return cmd_power_set(*args, "on"); });
  commands.on(off, [args] { return cmd_power_set(*args, "off"); });
  commands.on(cycle, [args] { return cmd_power_set(*args, "cycle"); });
}

}  // namespace cyanrig::cli
