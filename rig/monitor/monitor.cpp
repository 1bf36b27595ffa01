#include "rig/monitor/monitor.hpp"

#include <spdlog/spdlog.h>

#include <set>

#include "rig/monitor/probe_schedule.hpp"
#include "rig/monitor/textfile.hpp"

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

// How long the monitor stands back before asking again while a scenario run wants the rack.
constexpr Duration kYieldPause = 1s;

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
  const auto interrupted = [this] { return control_.stop.load() || control_.reload.load(); };
  publish();
  while (!control_.stop.load() && time_.now() < end) {
    if (control_.reload.exchange(false)) {
      reload();
      schedule = ProbeSchedule(probed_devices(settings_.probe, rack_), settings_.every, time_.now());
      continue;
    }
    if (schedule.empty()) {
      time_.wait_until(end, interrupted);
      continue;
    }
    const ProbeSchedule::Due due = schedule.next();
    if (due.at > time_.now()) {
      time_.wait_until(std::min(due.at, end), interrupted);
      continue;
    }
    if (const auto taker = turn_.wanted_by(rack_)) {
      if (!standing_back_) spdlog::info("standing back: the rack is wanted by {}", *taker);
      standing_back_ = true;
      time_.wait_until(time_.now() + kYieldPause, interrupted);
      continue;
    }
    standing_back_ = false;
    const RackDevice* device = rack_.find_device(due.device);
    if (device) probe_one(*device);
    schedule.done(due.device, time_.now());
  }
  publish();
  return probes_;
}

void Monitor::probe_one(const RackDevice& device) {
  const auto skipped = [&](std::string reason) {
    return ProbeOutcome{.device = device.name,
                        .platform = std::string(device.platform->name),
                        .probe = settings_.probe.name,
                        .result = ProbeResult::skipped,
                        .reason = std::move(reason)};
  };
  bool outage_here = false;
  if (outage_check_) {
    for (const auto& [segment, active] : outage_check_(rack_)) {
      metrics_.outage(segment, active);
      outage_here = outage_here || (active && segment == device.segment);
    }
  }
  ProbeOutcome outcome;
  if (outage_here) {
    outcome = skipped("an outage is in force on segment " + device.segment);
  } else if (auto refused = turn_.take(rack_, device, settings_.probe)) {
    outcome = skipped(std::move(*refused));
  } else {
    outcome = probe_(settings_.probe, rack_, device, settings_.seed + probes_);
    turn_.give_back();
    time_.passed(outcome.took);
    ++probes_;
  }
  metrics_.record(outcome, time_.unix_seconds());
  const auto level = outcome.result == ProbeResult::success ? spdlog::level::info : spdlog::level::warn;
  spdlog::log(level, "probe {} on {}: {}{}{}", outcome.probe, outcome.device, to_string(outcome.result),
              outcome.reason.empty() ? "" : ": ", outcome.reason);
  publish();
}

void Monitor::reload() {
  if (!reload_source_) return;
  std::optional<Rack> fresh = reload_source_();
  if (!fresh) {
    spdlog::error("rack reload failed: keeping the rack already loaded ({})", rack_.file);
    return;
  }
  std::set<std::string> kept;
  for (const RackDevice& d : fresh->devices) kept.insert(d.name);
  for (const RackDevice& d : rack_.devices) {
    if (!kept.contains(d.name)) metrics_.forget_device(d.name);
  }
  rack_ = std::move(*fresh);
  for (const Segment& s : rack_.segments) metrics_.outage(s.name, false);
  spdlog::warn("rack reloaded from {}: {} devices", rack_.file, rack_.devices.size());
}

void Monitor::publish() {
  if (settings_.textfile.empty()) return;
  if (const std::string problem = write_textfile(settings_.textfile, registry_.exposition());
      !problem.empty())
    spdlog::error("textfile: {}", problem);
}

}  // namespace cyanrig::monitor
