// `cyanrig monitor [--rack R] [--probe SCENARIO] [--every DURATION]`: the canary monitor
// (docs/monitoring.md). Probes each device in turn with the probe scenario, watches them all between
// probes with the watch scenario (`--watch`, `--watch-every`) where they stay powered, serves the metrics
// (`--metrics-listen`), writes the node-exporter textfile (`--textfile`). SIGINT/SIGTERM stop it
// after the probe in progress (which leaves relays safe and outages lifted); SIGHUP reloads the rack.
// Exits 0 when stopped or when `--duration` is over, 2 for bad usage or files, 3 when it cannot
// listen.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <array>
#include <csignal>
#include <cstdio>
#include <memory>

#include "cli/commands.hpp"
#include "cli/metrics_endpoint.hpp"
#include "cli/rack_choice.hpp"
#include "cli/rack_outages.hpp"
#include "cli/shipped_scenarios.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/monitor/canary_probe.hpp"
#include "rig/monitor/monitor.hpp"
#include "rig/monitor/rack_lock_turn.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"

namespace cyanrig::cli {
namespace {

struct MonitorArgs {
  std::string rack;
  std::string probe = "canary";
  std::string every = "5m";
  std::string watch = "canary_watch";
  bool watch_given = false;  // --watch on the command line: a rack that cannot be watched is an error
  bool no_watch = false;
  std::string watch_every = "1m";
  std::string duration;
  std::string metrics_listen;
  std::string textfile;
  std::uint64_t seed = 1;
};

// The signal handlers' only way to the loop: lock-free atomics, nothing else touched.
monitor::MonitorControl* g_control = nullptr;

extern "C" void on_stop_signal(int) {
  if (g_control) g_control->stop.store(true);
}
extern "C" void on_reload_signal(int) {
  if (g_control) g_control->reload.store(true);
}

// Installs the handlers for the monitor's lifetime and restores the previous ones after.
class MonitorSignals {
 public:
  explicit MonitorSignals(monitor::MonitorControl& control) {
    g_control = &control;
    install(SIGINT, on_stop_signal, 0);
    install(SIGTERM, on_stop_signal, 1);
    install(SIGHUP, on_reload_signal, 2);
  }
  ~MonitorSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) sigaction(kSignals[i], &previous_[i], nullptr);
    g_control = nullptr;
  }
  MonitorSignals(const MonitorSignals&) = delete;
  MonitorSignals& operator=(const MonitorSignals&) = delete;

 private:
  static constexpr std::array<int, 3> kSignals = {SIGINT, SIGTERM, SIGHUP};
  void install(int signal, void (*handler)(int), std::size_t slot) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    sigaction(signal, &action, &previous_[slot]);
  }
  std::array<struct sigaction, 3> previous_{};
};

std::optional<Duration> duration_option(const std::string& name, const std::string& text,
                                        Diagnostics& diags) {
  const DurationParse parsed = parse_duration(text);
  if (!parsed.value || *parsed.value <= Duration::zero()) {
    diags.error({}, fmt::format("{} {}: {}", name, text, parsed.value ? "must be positive" : parsed.error));
    return std::nullopt;
  }
  return parsed.value;
}

// The probe scenario checked against the rack; problems go to `diags`.
std::optional<Scenario> load_probe(const std::string& arg, const Rack& rack, Diagnostics& diags) {
  const ScenarioChoice choice = find_scenario(arg);
  if (choice.file.empty()) {
    diags.error({}, choice.problem);
    return std::nullopt;
  }
  auto probe = load_scenario_file(choice.file, diags, &rack);
  if (probe) check_scenario_against_rack(*probe, rack, diags, &backends());
  return probe;
}

// Why the devices of this rack cannot be watched between probes, or nothing when they can.
std::optional<std::string> unwatchable(const Rack& rack, bool simulated) {
  if (simulated)
    return "the built-in simulated rack starts a new world for every run, so no device stays connected "
           "between probes (a rack served by `cyanrig sim serve` keeps its devices running)";
  if (rack.safe_power != PowerState::on)
    return fmt::format(
        "rack '{}' has safe_power: off, so its devices are unpowered between probes; a canary "
        "rack that should be watched sets safe_power: on",
        rack.name);
  return std::nullopt;
}

// The watch scenario checked against the rack: it may look and ask, never switch power, start an
// outage, sleep a device or update it (the devices are watched as they are).
std::optional<Scenario> load_watch(const std::string& arg, const Rack& rack, Diagnostics& diags) {
  auto watch = load_probe(arg, rack, diags);
  if (!watch) return watch;
  for (const Step& step : watch->steps) {
    if (std::holds_alternative<WaitStep>(step.action) || std::holds_alternative<MarkStep>(step.action) ||
        std::holds_alternative<ExpectStep>(step.action))
      continue;
    diags.error(step.loc,
                fmt::format("a watch looks at the devices as they are: a `{}` step belongs in the probe "
                            "(--probe), not in the watch",
                            step.kind()));
  }
  return watch;
}

int cmd_monitor(const MonitorArgs& args) {
  Diagnostics diags;
  auto rack = load_rack(args.rack, diags);
  const auto probe = rack ? load_probe(args.probe, *rack, diags) : std::nullopt;
  const bool simulated = rack && rack_is_simulated(*rack, backends());
  // The watch between probes: on by default where the devices stay powered and connected.
  std::optional<std::string> no_watch_because = args.no_watch ? std::optional<std::string>("--no-watch")
                                                : rack        ? unwatchable(*rack, simulated)
                                                              : std::nullopt;
  if (no_watch_because && args.watch_given && !args.no_watch)
    diags.error({}, fmt::format("--watch {}: cannot watch: {}", args.watch, *no_watch_because));
  const auto watch = rack && !no_watch_because ? load_watch(args.watch, *rack, diags) : std::nullopt;
  const auto watch_every = duration_option("--watch-every", args.watch_every, diags);
  const auto every = duration_option("--every", args.every, diags);
  const auto duration =
      args.duration.empty() ? std::nullopt : duration_option("--duration", args.duration, diags);
  const auto listen = args.metrics_listen.empty() ? std::nullopt : parse_listen_address(args.metrics_listen);
  if (!args.metrics_listen.empty() && !listen)
    diags.error({}, fmt::format("--metrics-listen {}: expected ADDRESS:PORT, e.g. 127.0.0.1:9464",
                                args.metrics_listen));
  if (!diags.empty() || !rack || !probe || !every || !watch_every || (!args.duration.empty() && !duration)) {
    const std::size_t problems = print_diagnostics(diags);
    fmt::print(stderr, "cyanrig: monitor not started ({} problem{})\n", problems, problems == 1 ? "" : "s");
    return kExitInvalid;
  }

  monitor::MetricsRegistry registry;
  monitor::MonitorControl control;
  const MonitorSignals signals(control);
  if (no_watch_because) fmt::print("cyanrig monitor: no watch between probes: {}\n", *no_watch_because);
  const auto time = simulated ? monitor::make_virtual_monitor_time() : monitor::make_real_monitor_time();
  // The rack lock, taken per probe and yielded between probes (docs/monitoring.md).
  monitor::RackLockTurn turn(backends());
  monitor::Monitor loop(
      monitor::MonitorSettings{.probe = *probe,
                               .every = *every,
                               .watch = watch,
                               .watch_every = *watch_every,
                               .duration = duration,
                               .textfile = args.textfile,
                               .seed = args.seed},
      std::move(*rack),
      [](const Scenario& s, const Rack& r, const std::vector<const RackDevice*>& devices,
         std::uint64_t seed) { return monitor::run_probe(s, r, devices, backends(), seed); },
      turn, *time, registry, control);
  loop.on_reload([&args, &probe, &watch]() -> std::optional<Rack> {
    Diagnostics problems;
    auto fresh = load_rack(args.rack, problems);
    if (fresh) check_scenario_against_rack(*probe, *fresh, problems, &backends());
    if (fresh && watch) {
      check_scenario_against_rack(*watch, *fresh, problems, &backends());
      // Watching unpowered devices would page for nothing: the monitor watches, so the rack must stay
      // watchable (start the monitor again with --no-watch to change that).
      if (const auto why = unwatchable(*fresh, rack_is_simulated(*fresh, backends())))
        problems.error({fresh->file},
                       fmt::format("the monitor watches between probes and cannot watch this rack: "
                                   "{} (restart it with --no-watch)",
                                   *why));
    }
    if (!problems.empty()) {
      print_diagnostics(problems);
      return std::nullopt;
    }
    return fresh;
  });

  // The simulated rack's outages live inside each probe's own world: nothing outside can start one.
  if (!simulated) {
    loop.on_outage_check([](const Rack& r) {
      RackOutages outages(r);
      if (!outages.build()) {
        std::map<std::string, bool> unknown;  // cannot tell: hold the alerts and do not probe
        for (const Segment& s : r.segments) unknown[s.name] = true;
        return unknown;
      }
      return outages.in_force();
    });
  }

  std::unique_ptr<MetricsEndpoint> endpoint;
  if (listen) {
    try {
      endpoint = std::make_unique<MetricsEndpoint>(listen->first, listen->second,
                                                   [&registry] { return registry.exposition(); });
    } catch (const std::exception& e) {
      fmt::print(stderr, "cyanrig: {}\n", e.what());
      return kExitInfrastructure;
    }
    fmt::print("cyanrig monitor: metrics at {}\n", endpoint->url());
    std::fflush(stdout);
  }
  const std::uint64_t probes = loop.run();
  fmt::print("cyanrig monitor: stopped after {} probe{} ({:.0f} s on the monitor's clock)\n", probes,
             probes == 1 ? "" : "s", to_seconds(time->now().time_since_epoch()));
  return kExitPass;
}

}  // namespace

void add_monitor_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<MonitorArgs>();
  auto* cmd =
      app.add_subcommand("monitor",
                         "Probe every device in a loop (the canary), watch them between probes and serve "
                         "Prometheus metrics; SIGTERM stops, SIGHUP reloads the rack");
  cmd->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack, in virtual time)");
  cmd->add_option("--probe", args->probe, "Probe scenario file or shipped name (default: canary)");
  cmd->add_option("--every", args->every,
                  "How often each device is probed; probes are spread across it (default 5m)");
  cmd->add_option(
         "--watch", args->watch,
         "Watch scenario run on every device between probes, switching nothing (default: canary_watch)")
      ->each([args](const std::string&) { args->watch_given = true; });
  cmd->add_option("--watch-every", args->watch_every,
                  "How often the devices are watched between probes (default 1m)");
  cmd->add_flag("--no-watch", args->no_watch, "Do not watch the devices between probes")->excludes("--watch");
  cmd->add_option("--duration", args->duration,
                  "Stop after this long on the monitor's clock (e.g. 7d); default: run until stopped");
  cmd->add_option("--metrics-listen", args->metrics_listen,
                  "Serve /metrics on ADDRESS:PORT (port 0: any free port)");
  cmd->add_option("--textfile", args->textfile,
                  "Write the metrics to this file for node-exporter's textfile collector");
  cmd->add_option("--seed", args->seed, "Seed for the simulated rack");
  commands.on(cmd, [args] { return cmd_monitor(*args); });
}

}  // namespace cyanrig::cli
