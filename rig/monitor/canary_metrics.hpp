// The alert-relevant state of the rack, as Prometheus metrics: every family the monitor exposes is
// declared here, and each probe outcome, outage reading and clock tick updates them. The names and
// labels are the contract deploy/prometheus/cyanrig.rules.yml alerts on (docs/monitoring.md).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "rig/monitor/metrics.hpp"
#include "rig/monitor/probe_outcome.hpp"

namespace cyanrig::monitor {

// Connect-duration buckets, seconds: fine around the Device OS SLO (30 s warm, 60 s cold), then up
// to 30 min for the cellular backoff seen in outages.
inline const std::vector<double> kConnectBuckets = {1,  2,  5,   10,  15,  20,  30,  45,
                                                    60, 90, 120, 180, 300, 600, 900, 1800};

class CanaryMetrics {
 public:
  explicit CanaryMetrics(MetricsRegistry& registry);

  // A probe finished (or was skipped) at `unix_seconds` on the monitor's wall clock.
  void record(const ProbeOutcome& outcome, double unix_seconds);
  // A watch between probes finished (or was skipped): the device was looked at, not power-cycled.
  void record_watch(const ProbeOutcome& outcome, double unix_seconds);
  // A watch read the device's uptime; `restarted`: it had restarted by itself since the last read.
  void uptime_read(const std::string& device, bool restarted);
  void outage(const std::string& segment, bool active);
  // The device left the rack (SIGHUP reload): its series go.
  void forget_device(const std::string& device);
  void monitor_started(double unix_seconds);

 private:
  // What a probe or a watch saw of the device: the cloud's listing, orphaned or not, the LED.
  void record_seen(const ProbeOutcome& outcome);

  MetricsRegistry& registry_;
  std::map<std::string, std::string> led_states_;  // device -> the state its gauge shows as 1
};

}  // namespace cyanrig::monitor
