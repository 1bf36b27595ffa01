#include "rig/monitor/canary_probe.hpp"

#include <fmt/format.h>

#include <map>
#include <memory>
#include <set>

#include "rig/engine/engine.hpp"
#include "rig/event_names.hpp"

namespace cyanrig::monitor {
namespace {

constexpr std::string_view kConnectSuffix = "_connect";

// What the timeline said last about each device, kept as the run goes (the timeline ends with it).
struct LastWord {
  std::optional<bool> online;
  std::string led;
  std::optional<double> uptime;  // the `uptime` variable's last value read, seconds
  Instant uptime_read;
};
struct LastWords {
  std::map<std::string, LastWord> devices;
  Instant last_event;  // the run's end, near enough: its last event
};

constexpr std::string_view kUptimeRead = "variable uptime";

// The device's outcome from the run's result: its own case failures, the run's, and its criteria.
ProbeOutcome outcome_of(const RackDevice& device, const Scenario& probe, const RunResult& r,
                        const LastWord& last, Instant run_end) {
  ProbeOutcome out{
      .device = device.name, .platform = std::string(device.platform->name), .probe = probe.name};
  out.took = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(r.rig_seconds));
  out.online = last.online;
  out.led_state = last.led;
  if (last.uptime) out.uptime_seconds = *last.uptime + to_seconds(run_end - last.uptime_read);
  for (const MeasurementSample& s : r.samples) {
    if (s.device != device.name || !s.value || !s.name.ends_with(kConnectSuffix)) continue;
    const std::string kind = s.name.substr(0, s.name.size() - kConnectSuffix.size());
    out.connect_seconds[kind] = to_seconds(from_unit(*s.value, s.unit));
  }
  std::vector<Failure> failures = r.run_failures;
  for (const CaseResult& c : r.cases) {
    if (c.device == device.name) failures.insert(failures.end(), c.failures.begin(), c.failures.end());
  }
  std::vector<const CriterionResult*> missed;
  for (const CriterionResult& c : r.criteria) {
    if (!c.passed && (c.scope == device.name || c.scope == "rack")) missed.push_back(&c);
  }
  for (const Failure& f : failures) out.orphaned = out.orphaned || f.kind == "orphaned";
  if (failures.empty() && missed.empty()) {
    out.result = ProbeResult::success;
    return out;
  }
  const auto worst = worst_class(failures);
  out.result = worst == FailureClass::device || !worst ? ProbeResult::failure : ProbeResult::error;
  if (!failures.empty()) {
    out.reason = fmt::format("{}: {}", failures.front().kind, failures.front().message);
  } else {
    const CriterionResult& c = *missed.front();
    out.reason = fmt::format("slow: {} {} {} over the limit {}", c.measurement, c.statistic,
                             c.actual.value_or(0), c.limit);
  }
  return out;
}

}  // namespace

Rack rack_of(const Rack& rack, const std::vector<const RackDevice*>& devices) {
  Rack cut = rack;
  cut.devices.clear();
  std::set<std::string> segments;
  for (const RackDevice* d : devices) {
    cut.devices.push_back(*d);
    segments.insert(d->segment);
  }
  std::erase_if(cut.segments, [&](const Segment& s) { return !segments.contains(s.name); });
  return cut;
}

std::vector<ProbeOutcome> run_probe(const Scenario& probe, const Rack& rack,
                                    const std::vector<const RackDevice*>& devices,
                                    const BackendRegistry& registry, std::uint64_t seed) {
  const Rack cut = rack_of(rack, devices);
  Scenario scenario = probe;
  scenario.devices = DeviceSelector{.loc = probe.devices.loc};
  for (const RackDevice* d : devices) scenario.devices.names.push_back(d->name);

  auto last = std::make_shared<LastWords>();
  RunOptions options;
  options.seed = seed;
  options.results_root = std::filesystem::path();  // a probe writes no results folder
  options.handle_signals = false;                  // the monitor owns SIGINT/SIGTERM/SIGHUP
  // A probe is itself a health check: a failing device is measured, not recovered.
  options.health_check = false;
  options.observe = [last](Timeline& timeline, const Scenario&) {
    timeline.subscribe([last](const Event& e) {
      last->last_event = e.t;
      LastWord& device = last->devices[e.device];
      if (e.kind == EventKind::led) device.led = e.name;
      if (e.kind != EventKind::cloud || !e.data.is_object()) return;
      if (e.data.contains("status")) device.online = e.data.value("status", "") == "online";
      if (e.name == ev::cloud::kReply && e.data.value("request", "") == kUptimeRead &&
          e.data.contains("value") && e.data["value"].is_number()) {
        device.uptime = e.data["value"].get<double>();
        device.uptime_read = e.t;
      }
    });
  };
  const RunReport report = run_scenario(scenario, cut, registry, options);

  std::vector<ProbeOutcome> outcomes;
  for (const RackDevice* d : devices)
    outcomes.push_back(outcome_of(*d, probe, report.result, last->devices[d->name], last->last_event));
  return outcomes;
}

std::string_view to_string(ProbeResult result) {
  switch (result) {
    case ProbeResult::success:
      return "success";
    case ProbeResult::failure:
      return "failure";
    case ProbeResult::error:
      return "error";
    case ProbeResult::skipped:
      return "skipped";
  }
  return "?";
}

}  // namespace cyanrig::monitor
