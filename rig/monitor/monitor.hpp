// `cyanrig monitor`: probes every device of a rack in turn, staggered across the period, and keeps
// the alert-relevant state as metrics (docs/monitoring.md).
//
// The loop: wait for the next device due (or a stop/reload request), stand back while a scenario
// run wants the rack (ProbeTurn::wanted_by), take the device's turn, run the probe, give the
// turn back, record the outcome (metrics, one log line, the textfile). Backend faults are probe
// outcomes (result "error"), never an exit: only a stop request (SIGINT/SIGTERM) or the end of
// `--duration` ends the loop, and every probe has already left relays safe and outages lifted.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>

#include "rig/monitor/canary_metrics.hpp"
#include "rig/monitor/monitor_time.hpp"
#include "rig/monitor/probe_outcome.hpp"
#include "rig/monitor/probe_turn.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig::monitor {

// Set from signal handlers (lock-free atomics), read by the loop.
struct MonitorControl {
  std::atomic<bool> stop{false};
  std::atomic<bool> reload{false};
};

struct MonitorSettings {
  Scenario probe;
  Duration every = std::chrono::minutes(5);
  std::optional<Duration> duration;  // empty: until stopped
  std::filesystem::path textfile;    // empty: none
  std::uint64_t seed = 1;
};

class Monitor {
 public:
  // The rack again (SIGHUP), checked against the probe; nothing when it has problems (they are
  // logged and the monitor keeps the rack it has).
  using RackSource = std::function<std::optional<Rack>()>;
  using Probe =
      std::function<ProbeOutcome(const Scenario&, const Rack&, const RackDevice&, std::uint64_t seed)>;

  Monitor(MonitorSettings settings, Rack rack, Probe probe, ProbeTurn& turn, MonitorTime& time,
          MetricsRegistry& registry, MonitorControl& control);

  // Segment -> outage in force, read before each probe (racks with real outage backends). A
  // device whose segment has an outage in force is not probed (skipped: the probe's run would
  // lift the outage), and cyanrig_outage_active holds the alerts off.
  using OutageCheck = std::function<std::map<std::string, bool>(const Rack&)>;

  void on_reload(RackSource source) { reload_source_ = std::move(source); }
  void on_outage_check(OutageCheck check) { outage_check_ = std::move(check); }

  // Runs until stopped or the duration is over; returns how many probes ran (skips not counted).
  std::uint64_t run();

 private:
  void reload();
  void probe_one(const RackDevice& device);
  void publish();

  MonitorSettings settings_;
  Rack rack_;
  Probe probe_;
  ProbeTurn& turn_;
  MonitorTime& time_;
  MetricsRegistry& registry_;
  CanaryMetrics metrics_;
  MonitorControl& control_;
  RackSource reload_source_;
  OutageCheck outage_check_;
  std::uint64_t probes_ = 0;
  bool standing_back_ = false;  // said once per wait
};

// The devices a probe scenario selects on the rack, skipping devices under maintenance.
std::vector<std::string> probed_devices(const Scenario& probe, const Rack& rack);

}  // namespace cyanrig::monitor
