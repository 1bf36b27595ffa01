// `cyanrig outage status` and `cyanrig outage clear`: what the rack's outage backends have in force
// (with their counters), and lifting all of it — after a run was killed with SIGKILL, or before
// handing the lab back. Both build the rack's outage backends only, and drive them on the loop.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_bench.hpp"
#include "cli/rack_choice.hpp"
#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig::cli {
namespace {

using namespace std::chrono_literals;

// Each backend answers in well under its own command timeouts (at most 30 s); past this the lab is stuck.
constexpr Duration kWholeCommandLimit = 2min;

struct OutageArgs {
  std::string rack;
  Duration lock_wait{0};
};

struct RackOutage {
  std::string label;  // "lab-wifi / nftables"
  std::unique_ptr<OutageSwitch> outage;
};

// Everything one subcommand works with: the rack, its clock, and its outage backends.
class OutageBench {
 public:
  explicit OutageBench(Rack rack) : bench_(std::move(rack)) {}

  // Builds every segment's outage backends; false when one cannot be built, with the reasons printed.
  bool build() {
    bool built = true;
    for (const Segment& segment : bench_.rack().segments) {
      for (const BackendSpec& spec : segment.outages) {
        const std::string label = fmt::format("{} / {}", segment.name, spec.backend);
        auto outage = bench_.build<OutageSwitch>(BackendSite{spec, nullptr, &segment}, label);
        if (!outage) {
          built = false;
          continue;
        }
        outages_.push_back({label, std::move(outage)});
      }
    }
    return built;
  }

  std::vector<RackOutage>& outages() { return outages_; }

  // Calls `step` for each backend in turn, on the loop; false if they did not all finish in time.
  bool each_in_turn(const std::function<void(RackOutage&, std::function<void()> next)>& step) {
    std::size_t index = 0;
    Done all_done;
    std::function<void()> next = [&] {
      if (index == outages_.size()) return all_done(Status{});
      RackOutage& outage = outages_[index++];
      step(outage, next);
    };
    const Status finished = bench_.await(
        [&](Done done) {
          all_done = std::move(done);
          next();
        },
        kWholeCommandLimit);
    if (!finished.ok())
      fmt::print(stderr, "cyanrig: the outage backends did not answer within {} s\n",
                 to_seconds(kWholeCommandLimit));
    return finished.ok();
  }

 private:
  RackBench bench_;
  std::vector<RackOutage> outages_;  // last: destroyed before the clock they use
};

void print_status(const std::string& label, const OutageStatus& status) {
  if (!status.fault.ok()) return fmt::print("{}: cannot tell: {}\n", label, status.fault.message());
  fmt::print("{}: {}{}\n", label, status.in_force ? "IN FORCE: " : "", status.what);
  for (const std::string& detail : status.details) fmt::print("    {}\n", detail);
}

int cmd_outage_status(const OutageArgs& args) {
  auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  OutageBench bench(std::move(*rack));
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
  OutageBench bench(std::move(*rack));
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
