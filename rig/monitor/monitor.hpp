// `cyanrig monitor`: probes every device of a rack in turn, staggered across the period, and keeps
// the alert-relevant state as metrics (docs/monitoring.md).
//
// The loop: wait for the next device due (or the next watch, or a stop/reload request), stand back
// while a scenario run wants the rack (ProbeTurn::wanted_by), take the rack's turn, run the probe
// (or the watch), give the turn back, record the outcomes (metrics, log lines, the textfile).
// Backend faults are outcomes (result "error"), never an exit: only a stop request (SIGINT/SIGTERM)
// or the end of `--duration` ends the loop, and every run has already left relays safe and outages
// lifted.
//
// Between probes, when a watch scenario is given, every watched device is looked at together once
// per `watch_every`: a run that switches no power (scenarios/canary_watch.yaml: the cloud lists it
// online, breathing cyan, `ping` answers), so a device that drops off or turns orphaned while it
// sits connected is seen within a minute, not at its next probe. A watch that reads the device's
// `uptime` also finds restarts nobody asked for: an uptime shorter than the time since the last watch
// read it (a probe in between, which restarts the device itself, does not count).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <vector>

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
  std::optional<Scenario> watch;  // empty: no watch between probes
  Duration watch_every = std::chrono::minutes(1);
  std::optional<Duration> duration;  // empty: until stopped
  std::filesystem::path textfile;    // empty: none
  std::uint64_t seed = 1;
};

class Monitor {
 public:
  // The rack again (SIGHUP), checked against the probe; nothing when it has problems (they are
  // logged and the monitor keeps the rack it has).
  using RackSource = std::function<std::optional<Rack>()>;
  // Runs a probe or watch scenario on some devices at once: one outcome per device, in order.
  using Probe = std::function<std::vector<ProbeOutcome>(
      const Scenario&, const Rack&, const std::vector<const RackDevice*>&, std::uint64_t seed)>;

  Monitor(MonitorSettings settings, Rack rack, Probe probe, ProbeTurn& turn, MonitorTime& time,
          MetricsRegistry& registry, MonitorControl& control);

  // Segment -> outage in force, read before each probe (racks with real outage backends). A
  // device whose segment has an outage in force is not probed (skipped: the probe's run would
  // lift the outage), and cyanrig_outage_active holds the alerts off.
  using OutageCheck = std::function<std::map<std::string, bool>(const Rack&)>;

  void on_reload(RackSource source) { reload_source_ = std::move(source); }
  void on_outage_check(OutageCheck check) { outage_check_ = std::move(check); }

  // Runs until stopped or the duration is over; returns how many probes ran (skips and watches not
  // counted).
  std::uint64_t run();

 private:
  // Reads the rack again; false when it could not (the loaded rack is kept).
  bool reload();
  void probe_one(const RackDevice& device);
  void watch_all();
  // Runs `scenario` on `devices` in the rack's turn: their outcomes, or skips naming why the turn
  // was refused.
  std::vector<ProbeOutcome> run_in_turn(const Scenario& scenario,
                                        const std::vector<const RackDevice*>& devices);
  // The segments with an outage in force (or that cannot be asked), as the outage check says;
  // cyanrig_outage_active follows it.
  std::set<std::string> segments_in_outage();
  // The device's uptime against the last watch's: did it restart by itself in between?
  void check_uptime(const ProbeOutcome& watched);
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
  std::uint64_t runs_ = 0;  // probes and watches: run k uses seed + k
  Instant watch_due_;
  // Per device: the uptime a watch last read (seconds) and when. A probe, which restarts the device
  // itself, clears it.
  struct UptimeSeen {
    double seconds = 0;
    Instant at;
  };
  std::map<std::string, UptimeSeen> uptime_seen_;
  bool standing_back_ = false;  // said once per wait
};

// The devices a probe scenario selects on the rack, skipping devices under maintenance.
std::vector<std::string> probed_devices(const Scenario& probe, const Rack& rack);

}  // namespace cyanrig::monitor
