// `cyanrig outage status` and `cyanrig outage clear`: what the rack's outage backends have in force
// (with their counters), and lifting all of it — after a run was killed with SIGKILL, or before
// handing the lab back. Both build the rack's outage backends only, and drive them on the loop.
#include <fmt/format.h>

#include <chrono>
#include <memory>

#include "cli/commands.hpp"
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

struct RackOutage {
  std::string label;  // "lab-wifi / nftables"
  std::unique_ptr<OutageSwitch> outage;
};

// Everything one subcommand works with: the rack, its clock, and its outage backends.
class OutageBench {
 public:
  // The rack at `path` (the built-in simulated rack when empty) and its outage backends: kExitPass,
  // kExitInvalid when the rack file cannot be loaded (a file problem), kExitInfrastructure when a
  // backend cannot be built (its hardware cannot be asked), with the reasons printed.
  int load(const std::string& path) {
    auto rack = open_rack(path);
    if (!rack) return kExitInvalid;
    rack_ = std::make_unique<Rack>(std::move(*rack));
    clock_ = clock_for(*rack_);
    context_ = std::make_unique<BackendContext>(*clock_, *rack_, 1);
    bool built = true;
    for (const Segment& segment : rack_->segments) {
      for (const BackendSpec& spec : segment.outages) built = build(segment, spec) && built;
    }
    return built ? kExitPass : kExitInfrastructure;
  }

  const Rack& rack() const { return *rack_; }
  std::vector<RackOutage>& outages() { return outages_; }

  // Calls `step` for each backend in turn, on the loop; false if they did not all finish in time.
  bool each_in_turn(const std::function<void(RackOutage&, std::function<void()> next)>& step) {
    std::size_t index = 0;
    std::function<void()> next = [&] {
      if (index == outages_.size()) return clock_->stop();
      RackOutage& outage = outages_[index++];
      step(outage, next);
    };
    bool timed_out = false;
    const Timer limit = clock_->after(kWholeCommandLimit, [&] {
      timed_out = true;
      clock_->stop();
    });
    clock_->post(next);
    clock_->run();
    if (timed_out)
      fmt::print(stderr, "cyanrig: the outage backends did not answer within {} s\n",
                 to_seconds(kWholeCommandLimit));
    return !timed_out;
  }

 private:
  bool build(const Segment& segment, const BackendSpec& spec) {
    const std::string label = fmt::format("{} / {}", segment.name, spec.backend);
    const auto* factory = backends().find<OutageSwitch>(spec.backend);
    try {
      outages_.push_back({label, factory->create(BackendSite{spec, nullptr, &segment}, *context_)});
      return true;
    } catch (const std::exception& e) {
      fmt::print(stderr, "cyanrig: {}: {}\n", label, e.what());
      return false;
    }
  }

  std::unique_ptr<Rack> rack_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<BackendContext> context_;
  std::vector<RackOutage> outages_;  // last: destroyed before the clock they use
};

void print_status(const std::string& label, const OutageStatus& status) {
  if (!status.fault.ok()) return fmt::print("{}: cannot tell: {}\n", label, status.fault.message());
  fmt::print("{}: {}{}\n", label, status.in_force ? "IN FORCE: " : "", status.what);
  for (const std::string& detail : status.details) fmt::print("    {}\n", detail);
}

int cmd_outage_status(const std::string& rack_path) {
  OutageBench bench;
  if (const int loaded = bench.load(rack_path); loaded != kExitPass) return loaded;
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
  OutageBench bench;
  if (const int loaded = bench.load(rack_path); loaded != kExitPass) return loaded;
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
      "Show what each segment's outage backends have in force, with their counters; exit 2 if the rack "
      "cannot be loaded, 3 if a backend cannot be asked");
  auto* clear = outage->add_subcommand("clear",
                                       "Lift every outage the rack's backends can find, including what a "
                                       "killed run left; exit 2 if the rack cannot be loaded, 3 if an "
                                       "outage could not be lifted");
  for (auto* command : {status, clear}) {
    command->add_option("--rack", *rack, "Rack file (default: the built-in simulated rack)");
  }
  commands.on(status, [rack] { return cmd_outage_status(*rack); });
  commands.on(clear, [rack] { return cmd_outage_clear(*rack); });
}

}  // namespace cyanrig::cli
