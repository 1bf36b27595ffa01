// `cyanrig outage status` and `cyanrig outage clear`: what the rack's outage backends have in force
// (with their counters), and lifting all of it — after a run was killed with SIGKILL, or before
// handing the lab back. Both build the rack's outage backends only, and drive them on the loop.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "cli/rack_outages.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig::cli {
namespace {

void print_status(const std::string& label, const OutageStatus& status) {
  if (!status.fault.ok()) return fmt::print("{}: cannot tell: {}\n", label, status.fault.message());
  fmt::print("{}: {}{}\n", label, status.in_force ? "IN FORCE: " : "", status.what);
  for (const std::string& detail : status.details) fmt::print("    {}\n", detail);
}

int cmd_outage_status(const std::string& rack_path) {
  RackOutages bench;
  if (!bench.load(rack_path)) return kExitInvalid;
  bool faults = false;
  const bool finished = bench.each_in_turn([&](RackOutage& outage, std::function<void()> next) {
    outage.outage->inspect([&, next](const OutageStatus& status) {
      faults = faults || !status.fault.ok();
      print_status(outage.label, status);
      next();
    });
  });
  return faults || !finished ? kExitInfrastructure : 0;
}

// What was in force (inspect), what a killed run left (sweep), then a stop for good measure: every
// backend's stop is safe whatever is loaded.
int cmd_outage_clear(const std::string& rack_path) {
  RackOutages bench;
  if (!bench.load(rack_path)) return kExitInvalid;
  bool faults = false;
  const auto failed = [&](const std::string& label, const HardwareFault& fault) {
    faults = true;
    fmt::print("{}: could not lift: {}\n", label, fault.message);
  };
  const bool finished = bench.each_in_turn([&](RackOutage& outage, std::function<void()> next) {
    outage.outage->inspect([&, next](const OutageStatus& before) {
      outage.outage->sweep([&, before, next](Status swept, std::optional<std::string> removed) {
        if (!swept.ok()) failed(outage.label, swept.fault());
        outage.outage->stop([&, before, removed, next](Status stopped) {
          if (!stopped.ok()) {
            failed(outage.label, stopped.fault());
          } else if (removed) {
            fmt::print("{}: {}\n", outage.label, *removed);
          } else if (before.in_force) {
            fmt::print("{}: lifted: {}\n", outage.label, before.what);
          } else {
            fmt::print("{}: nothing was in force\n", outage.label);
          }
          next();
        });
      });
    });
  });
  return faults || !finished ? kExitInfrastructure : 0;
}

}  // namespace

void add_outage_commands(CLI::App& app, Subcommands& commands) {
  auto* outage = app.add_subcommand("outage", "Network outages the rack's backends have in force");
  outage->require_subcommand(1);
  auto rack = std::make_shared<std::string>();
  auto* status = outage->add_subcommand(
      "status",
      "Show what each segment's outage backends have in force, with their counters; exit 3 if one "
      "cannot be asked");
  auto* clear = outage->add_subcommand(
      "clear", "Lift every outage the rack's backends can find, including what a killed run left");
  for (auto* command : {status, clear}) {
    command->add_option("--rack", *rack, "Rack file (default: the built-in simulated rack)");
  }
  commands.on(status, [rack] { return cmd_outage_status(*rack); });
  commands.on(clear, [rack] { return cmd_outage_clear(*rack); });
}

}  // namespace cyanrig::cli
