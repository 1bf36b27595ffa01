// `cyanrig outage status` and `cyanrig outage clear`: what the rack's outage backends have in force
// (with their counters), and lifting all of it — after a run was killed with SIGKILL, or before
// handing the lab back. Both build the rack's outage backends only, and drive them on the loop.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_bench.hpp"
#include "cli/rack_choice.hpp"
#include "cli/rack_outages.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig::cli {
namespace {

struct OutageArgs {
  std::string rack;
  Duration lock_wait{0};
};

void print_status(const std::string& label, const OutageStatus& status) {
  if (!status.fault.ok()) return fmt::print("{}: cannot tell: {}\n", label, status.fault.message());
  fmt::print("{}: {}{}\n", label, status.in_force ? "IN FORCE: " : "", status.what);
  for (const std::string& detail : status.details) fmt::print("    {}\n", detail);
}

int cmd_outage_status(const OutageArgs& args) {
  auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  RackOutages bench(std::move(*rack));
  if (!bench.build()) return kExitInfrastructure;
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
int cmd_outage_clear(const OutageArgs& args) {
  auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const auto lock = lock_rack(*rack, {.command = "outage clear", .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  RackOutages bench(std::move(*rack));
  if (!bench.build()) return kExitInfrastructure;
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
  auto args = std::make_shared<OutageArgs>();
  auto* status = outage->add_subcommand(
      "status",
      "Show what each segment's outage backends have in force, with their counters; exit 2 if the rack "
      "cannot be loaded, 3 if a backend cannot be asked");
  auto* clear = outage->add_subcommand("clear",
                                       "Lift every outage the rack's backends can find, including what a "
                                       "killed run left; exit 2 if the rack cannot be loaded, 3 if an "
                                       "outage could not be lifted");
  for (auto* command : {status, clear}) {
    command->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
  }
  add_lock_wait_option(*clear, args->lock_wait);
  add_outage_hold_command(*outage, commands);
  commands.on(status, [args] { return cmd_outage_status(*args); });
  commands.on(clear, [args] { return cmd_outage_clear(*args); });
}

}  // namespace cyanrig::cli
