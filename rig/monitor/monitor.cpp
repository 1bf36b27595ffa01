#include "rig/monitor/monitor.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "rig/monitor/probe_schedule.hpp"
#include "rig/monitor/textfile.hpp"

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

// How long the monitor stands back before asking again while a scenario run wants the rack.
constexpr Duration kYieldPause = 1s;

// How much shorter than the time since the last watch an uptime may be and still be read as "no
// restart": the variable is whole seconds, read some seconds before the watch ended.
constexpr Duration kUptimeSlack = 10s;

ProbeOutcome skipped(const RackDevice& device, const Scenario& scenario, std::string reason) {
  return ProbeOutcome{.device = device.name,
                      .platform = std::string(device.platform->name),
                      .probe = scenario.name,
                      .result = ProbeResult::skipped,
                      .reason = std::move(reason)};
}

// One line per outcome; a watch that passed is routine and logged at debug level only.
void log_outcome(std::string_view what, const ProbeOutcome& o) {
  const bool passed = o.result == ProbeResult::success;
  const auto level = !passed           ? spdlog::level::warn
                     : what == "watch" ? spdlog::level::debug
                                       : spdlog::level::info;
  spdlog::log(level, "{} {} on {}: {}{}{}", what, o.probe, o.device, to_string(o.result),
              o.reason.empty() ? "" : ": ", o.reason);
}

}  // namespace

std::vector<std::string> probed_devices(const Scenario& probe, const Rack& rack) {
  std::vector<std::string> names;
  for (const RackDevice* d : probe.select(rack)) {
    if (!d->maintenance) names.push_back(d->name);
  }
  return names;
}

Monitor::Monitor(MonitorSettings settings, Rack rack, Probe probe, ProbeTurn& turn, MonitorTime& time,
                 MetricsRegistry& registry, MonitorControl& control)
    : settings_(std::move(settings)),
      rack_(std::move(rack)),
      probe_(std::move(probe)),
      turn_(turn),
      time_(time),
      registry_(registry),
      metrics_(registry),
      control_(control) {
  metrics_.monitor_started(time_.unix_seconds());
  for (const Segment& s : rack_.segments) metrics_.outage(s.name, false);
}

std::uint64_t Monitor::run() {
  const Instant end = settings_.duration ? time_.now() + *settings_.duration : Instant::max();
  ProbeSchedule schedule(probed_devices(settings_.probe, rack_), settings_.every, time_.now());
  watch_due_ = time_.now() + settings_.watch_every;  // the first probes see the devices anyway
  const auto interrupted = [this] { return control_.stop.load() || control_.reload.load(); };
  publish();
  while (!control_.stop.load() && time_.now() < end) {
    if (control_.reload.exchange(false)) {
      // A refused reload changes nothing, the schedule included: no device is probed again early.
      if (reload())
        schedule = ProbeSchedule(probed_devices(settings_.probe, rack_), settings_.every, time_.now());
      continue;
    }
    const std::optional<ProbeSchedule::Due> probe_due =
        schedule.empty() ? std::nullopt : std::optional(schedule.next());
    const Instant watch_at = settings_.watch ? watch_due_ : Instant::max();
    const Instant next = std::min(probe_due ? probe_due->at : Instant::max(), watch_at);
    if (next > time_.now()) {
      time_.wait_until(std::min(next, end), interrupted);
      continue;
    }
    if (const auto taker = turn_.wanted_by(rack_)) {
      if (!standing_back_) spdlog::info("standing back: the rack is wanted by {}", *taker);
      standing_back_ = true;
      time_.wait_until(time_.now() + kYieldPause, interrupted);
      continue;
    }
    standing_back_ = false;
    if (probe_due && probe_due->at <= watch_at) {  // a probe due no later than the watch goes first
      const RackDevice* device = rack_.find_device(probe_due->device);
      if (device) probe_one(*device);
      schedule.done(probe_due->device, time_.now());
    } else {
      watch_all();
      // Once per period; a watch that overran it (a device slow to answer) is followed by the next.
      watch_due_ = std::max(watch_due_ + settings_.watch_every, time_.now());
    }
  }
  publish();
  return probes_;
}

std::set<std::string> Monitor::segments_in_outage() {
  std::set<std::string> segments;
  if (!outage_check_) return segments;
  for (const auto& [segment, active] : outage_check_(rack_)) {
    metrics_.outage(segment, active);
    if (active) segments.insert(segment);
  }
  return segments;
}

std::vector<ProbeOutcome> Monitor::run_in_turn(const Scenario& scenario,
                                               const std::vector<const RackDevice*>& devices) {
  if (auto refused = turn_.take(rack_, devices, scenario)) {
    std::vector<ProbeOutcome> skips;
    for (const RackDevice* d : devices) skips.push_back(skipped(*d, scenario, *refused));
    return skips;
  }
  std::vector<ProbeOutcome> outcomes = probe_(scenario, rack_, devices, settings_.seed + runs_);
  turn_.give_back();
  ++runs_;
  // The devices ran side by side on one clock: the run took as long as its longest flow.
  Duration took{0};
  for (const ProbeOutcome& o : outcomes) took = std::max(took, o.took);
  time_.passed(took);
  // An outage put in force while the run went (by someone else: the run lifts its own) may be what
  // failed a device: that verdict cannot stand, and the alerts hold off for the outage anyway.
  const std::set<std::string> in_outage = segments_in_outage();
  for (ProbeOutcome& o : outcomes) {
    const RackDevice* d = rack_.find_device(o.device);
    if (o.result == ProbeResult::success || !d || !in_outage.contains(d->segment)) continue;
    o.reason = fmt::format("an outage was put in force on segment {} while it ran (it found: {})", d->segment,
                           o.reason);
    o.result = ProbeResult::skipped;
  }
  return outcomes;
}

void Monitor::probe_one(const RackDevice& device) {
  std::vector<ProbeOutcome> outcomes;
  if (segments_in_outage().contains(device.segment)) {
    outcomes.push_back(
        skipped(device, settings_.probe, "an outage is in force on segment " + device.segment));
  } else {
    const std::uint64_t runs_before = runs_;
    outcomes = run_in_turn(settings_.probe, {&device});
    probes_ += runs_ - runs_before;
  }
  for (const ProbeOutcome& o : outcomes) {
    metrics_.record(o, time_.unix_seconds());
    log_outcome("probe", o);
    if (o.result != ProbeResult::skipped) uptime_seen_.erase(o.device);  // it power-cycled the device
  }
  publish();
}

void Monitor::watch_all() {
  const std::set<std::string> in_outage = segments_in_outage();
  std::vector<ProbeOutcome> outcomes;
  std::vector<const RackDevice*> watched;
  for (const std::string& name : probed_devices(*settings_.watch, rack_)) {
    const RackDevice* device = rack_.find_device(name);
    if (in_outage.contains(device->segment))
      outcomes.push_back(
          skipped(*device, *settings_.watch, "an outage is in force on segment " + device->segment));
    else
      watched.push_back(device);
  }
  if (!watched.empty()) {
    std::vector<ProbeOutcome> seen = run_in_turn(*settings_.watch, watched);
    outcomes.insert(outcomes.end(), std::make_move_iterator(seen.begin()),
                    std::make_move_iterator(seen.end()));
  }
  for (const ProbeOutcome& o : outcomes) {
    metrics_.record_watch(o, time_.unix_seconds());
    log_outcome("watch", o);
    check_uptime(o);
  }
  publish();
}

void Monitor::check_uptime(const ProbeOutcome& o) {
  if (!o.uptime_seconds) return;
  const Instant now = time_.now();
  const auto seen = uptime_seen_.find(o.device);
  bool restarted = false;
  if (seen != uptime_seen_.end()) {
    // Running all along, its uptime has grown by at least the time since; a restart leaves less.
    const double since = to_seconds(now - seen->second.at);
    restarted = *o.uptime_seconds + to_seconds(kUptimeSlack) < since;
    if (restarted)
      spdlog::warn(
          "watch {} on {}: the device restarted by itself since the last watch: uptime {:.0f} s, {:.0f} s "
          "since the watch that read {:.0f} s",
          o.probe, o.device, *o.uptime_seconds, since, seen->second.seconds);
  }
  metrics_.uptime_read(o.device, restarted);
  uptime_seen_[o.device] = UptimeSeen{.seconds = *o.uptime_seconds, .at = now};
}

bool Monitor::reload() {
  if (!reload_source_) return false;
  std::optional<Rack> fresh = reload_source_();
  if (!fresh) {
    spdlog::error("rack reload failed: keeping the rack already loaded ({})", rack_.file);
    return false;
  }
  std::set<std::string> kept;
  for (const RackDevice& d : fresh->devices) kept.insert(d.name);
  for (const RackDevice& d : rack_.devices) {
    if (kept.contains(d.name)) continue;
    metrics_.forget_device(d.name);
    uptime_seen_.erase(d.name);
  }
  rack_ = std::move(*fresh);
  for (const Segment& s : rack_.segments) metrics_.outage(s.name, false);
  spdlog::warn("rack reloaded from {}: {} devices", rack_.file, rack_.devices.size());
  return true;
}

void Monitor::publish() {
  if (settings_.textfile.empty()) return;
  if (const std::string problem = write_textfile(settings_.textfile, registry_.exposition());
      !problem.empty())
    spdlog::error("textfile: {}", problem);
}

}  // namespace cyanrig::monitor
