#include "rig/monitor/canary_metrics.hpp"

namespace cyanrig::monitor {

CanaryMetrics::CanaryMetrics(MetricsRegistry& r) : registry_(r) {
  r.declare("cyanrig_probe_success", "1 if the device's last probe passed, 0 if it failed.",
            MetricType::gauge, {"device", "platform", "probe"});
  r.declare("cyanrig_probe_runs_total",
            "Probes by result: success, failure (the device), error (the lab), skipped (rack busy).",
            MetricType::counter, {"device", "probe", "result"});
  r.declare("cyanrig_connect_duration_seconds",
            "Time from power-on (cold) or reset (warm) to cloud connected, per probe.", MetricType::histogram,
            {"device", "platform", "kind"}, kConnectBuckets);
  r.declare("cyanrig_last_probe_timestamp_seconds", "When the device's last probe ended (Unix time).",
            MetricType::gauge, {"device", "probe"});
  r.declare("cyanrig_last_success_timestamp_seconds", "When the device last passed a probe (Unix time).",
            MetricType::gauge, {"device", "probe"});
  r.declare("cyanrig_watch_success",
            "1 if the device's last watch found it online and answering, 0 if not (between probes).",
            MetricType::gauge, {"device", "platform", "watch"});
  r.declare("cyanrig_watch_runs_total",
            "Watches by result: success, failure (the device), error (the lab), skipped (rack busy).",
            MetricType::counter, {"device", "watch", "result"});
  r.declare("cyanrig_last_watch_timestamp_seconds", "When the device's last watch ended (Unix time).",
            MetricType::gauge, {"device", "watch"});
  r.declare("cyanrig_device_restarts_total",
            "Restarts the monitor did not cause, found by watches: the device's uptime was shorter than the "
            "time since a watch last read it.",
            MetricType::counter, {"device"});
  r.declare("cyanrig_device_online",
            "1 if the cloud last listed the device online, 0 if offline (last probe or watch).",
            MetricType::gauge, {"device"});
  r.declare("cyanrig_device_orphaned",
            "1 if the device looked connected (online, breathing cyan) but did not answer calls.",
            MetricType::gauge, {"device"});
  r.declare("cyanrig_led_state", "1 for the device's current status LED state, 0 for states seen before.",
            MetricType::gauge, {"device", "state"});
  r.declare("cyanrig_outage_active", "1 while an outage is in force on the segment (alerts hold off).",
            MetricType::gauge, {"segment"});
  r.declare("cyanrig_monitor_start_time_seconds", "When this monitor started (Unix time).", MetricType::gauge,
            {});
}

void CanaryMetrics::record(const ProbeOutcome& o, double unix_seconds) {
  registry_.add("cyanrig_probe_runs_total", {o.device, o.probe, std::string(to_string(o.result))});
  if (o.result == ProbeResult::skipped) return;
  registry_.set("cyanrig_last_probe_timestamp_seconds", {o.device, o.probe}, unix_seconds);
  registry_.set("cyanrig_probe_success", {o.device, o.platform, o.probe}, o.result == ProbeResult::success);
  if (o.result == ProbeResult::success)
    registry_.set("cyanrig_last_success_timestamp_seconds", {o.device, o.probe}, unix_seconds);
  for (const auto& [kind, seconds] : o.connect_seconds)
    registry_.observe("cyanrig_connect_duration_seconds", {o.device, o.platform, kind}, seconds);
  record_seen(o);
}

void CanaryMetrics::record_watch(const ProbeOutcome& o, double unix_seconds) {
  registry_.add("cyanrig_watch_runs_total", {o.device, o.probe, std::string(to_string(o.result))});
  if (o.result == ProbeResult::skipped) return;
  registry_.set("cyanrig_last_watch_timestamp_seconds", {o.device, o.probe}, unix_seconds);
  // A lab error says nothing about the device: its watch gauge keeps what it last said.
  if (o.result != ProbeResult::error)
    registry_.set("cyanrig_watch_success", {o.device, o.platform, o.probe}, o.result == ProbeResult::success);
  record_seen(o);
}

void CanaryMetrics::record_seen(const ProbeOutcome& o) {
  if (o.online) registry_.set("cyanrig_device_online", {o.device}, *o.online);
  // A lab error says nothing about the device's orphan state; a device verdict does.
  if (o.result != ProbeResult::error) registry_.set("cyanrig_device_orphaned", {o.device}, o.orphaned);
  if (!o.led_state.empty()) {
    std::string& current = led_states_[o.device];
    if (!current.empty()) registry_.set("cyanrig_led_state", {o.device, current}, 0);
    current = o.led_state;
    registry_.set("cyanrig_led_state", {o.device, current}, 1);
  }
}

void CanaryMetrics::uptime_read(const std::string& device, bool restarted) {
  registry_.add("cyanrig_device_restarts_total", {device}, restarted ? 1 : 0);
}

void CanaryMetrics::outage(const std::string& segment, bool active) {
  registry_.set("cyanrig_outage_active", {segment}, active);
}

void CanaryMetrics::forget_device(const std::string& device) {
  registry_.forget("device", device);
  led_states_.erase(device);
}

void CanaryMetrics::monitor_started(double unix_seconds) {
  registry_.set("cyanrig_monitor_start_time_seconds", {}, unix_seconds);
}

}  // namespace cyanrig::monitor
