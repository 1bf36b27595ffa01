// `cyanrig rack status`: who holds the rack's lock (and whether that process still runs), who waits
// for it, and which devices are under maintenance. `cyanrig rack labels`: the labels a CI runner
// attached to this rack carries (docs/ci.md).
#include <fmt/format.h>

#include <memory>
#include <set>
#include <vector>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/core/text.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig::cli {
namespace {

struct RackArgs {
  std::string rack;
  bool comma = false;
};

// A label as CI systems take it: lower case letters, digits and '-'.
std::string label_text(std::string_view text) {
  std::string out;
  for (const char c : lower(text)) out += (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ? c : '-';
  return out;
}

// cyanrig-rack-<name>, then what the rack can do: its platforms, its capabilities, its outage modes.
std::vector<std::string> rack_labels(const Rack& rack) {
  std::set<std::string> what;
  bool power = false, serial = false, led = false;
  for (const RackDevice& d : rack.devices) {
    what.insert("cyanrig-platform-" + label_text(d.platform->name));
    power = power || d.power.has_value();
    serial = serial || d.serial.has_value();
    led = led || d.led.has_value();
  }
  if (power) what.insert("cyanrig-power");
  if (serial) what.insert("cyanrig-serial");
  if (led) what.insert("cyanrig-led");
  if (rack.cloud) what.insert("cyanrig-cloud");
  for (const Segment& segment : rack.segments) {
    for (const BackendSpec& spec : segment.outages) {
      for (const OutageMode mode : outage_modes(spec, segment, backends())) {
        what.insert("cyanrig-outage-" + std::string(to_string(mode)));
      }
    }
  }
  if (rack_shares_nothing(rack, backends())) what.insert("cyanrig-simulated");
  std::vector<std::string> out{"cyanrig-rack-" + label_text(rack.name)};
  out.insert(out.end(), what.begin(), what.end());
  return out;
}

void print_lock(const Rack& rack) {
  const RackLockState state = inspect_rack_lock(rack, backends());
  if (state.shares_nothing) {
    fmt::print("lock: none (only in-process simulated backends: the rack shares nothing)\n");
    return;
  }
  fmt::print("lock: {}\n", state.path.string());
  if (!state.held) {
    if (state.holder) {
      fmt::print("free (last held by {})\n", state.holder->describe());
    } else {
      fmt::print("free\n");
    }
    return;
  }
  if (!state.holder) {
    fmt::print("held by a process that has not written its details\n");
  } else if (state.holder_alive) {
    fmt::print("held by {}; that process is running\n", state.holder->describe());
  } else {
    // flock is released with its last descriptor: a child the holder started still has it.
    fmt::print("held; the file names {}, which is gone: a process it started still holds the lock\n",
               state.holder->describe());
  }
  if (state.holder && state.holder->yields_within) {
    fmt::print("the holder lets go when asked, within {}\n", format_duration(*state.holder->yields_within));
  }
  if (state.waiting) fmt::print("waiting for it: {}\n", state.waiting->describe());
}

int cmd_rack_status(const RackArgs& args) {
  const auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  fmt::print("rack {} ({})\n", rack->name, rack->file);
  print_lock(*rack);
  for (const RackDevice& d : rack->devices) {
    if (d.maintenance) fmt::print("{}: under maintenance: {}\n", d.name, *d.maintenance);
  }
  return kExitPass;
}

int cmd_rack_labels(const RackArgs& args) {
  const auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const auto labels = rack_labels(*rack);
  if (args.comma) {
    std::string line;
    for (const std::string& label : labels) line += (line.empty() ? "" : ",") + label;
    fmt::print("{}\n", line);
  } else {
    for (const std::string& label : labels) fmt::print("{}\n", label);
  }
  return kExitPass;
}

}  // namespace

void add_rack_commands(CLI::App& app, Subcommands& commands) {
  auto* rack = app.add_subcommand("rack", "The rack as a shared resource: its lock and its devices' state");
  rack->require_subcommand(1);
  auto args = std::make_shared<RackArgs>();
  auto* status = rack->add_subcommand(
      "status", "Who holds the rack's lock (and whether that process runs), who waits for it");
  auto* labels = rack->add_subcommand(
      "labels",
      "The labels (tags) a CI runner attached to this rack carries: cyanrig-rack-NAME, platforms, "
      "capabilities");
  for (auto* command : {status, labels}) {
    command->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
  }
  labels->add_flag(
      "--comma", args->comma,
      "On one line, comma-separated (gitlab-runner register --tag-list, GitHub's config.sh --labels)");
  commands.on(status, [args] { return cmd_rack_status(*args); });
  commands.on(labels, [args] { return cmd_rack_labels(*args); });
}

}  // namespace cyanrig::cli
