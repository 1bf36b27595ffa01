#include "rig/monitor/canary_probe.hpp"

#include <fmt/format.h>

#include <memory>

#include "rig/engine/engine.hpp"

namespace cyanrig::monitor {
namespace {

constexpr std::string_view kConnectSuffix = "_connect";

// What the timeline said last about the device, kept as the run goes (the timeline ends with it).
struct LastWord {
  std::optional<bool> online;
  std::string led;
};

}  // namespace

Rack rack_of_one(const Rack& rack, const RackDevice& device) {
  Rack one = rack;
  one.devices = {device};
  std::erase_if(one.segments, [&](const Segment& s) { return s.name != device.segment; });
  return one;
}

ProbeOutcome run_probe(const Scenario& probe, const Rack& rack, const RackDevice& device,
                       const BackendRegistry& registry, std::uint64_t seed) {
  const Rack one = rack_of_one(rack, device);
  Scenario scenario = probe;
  scenario.devices = DeviceSelector{.names = {device.name}, .loc = probe.devices.loc};

  auto last = std::make_shared<LastWord>();
  RunOptions options;
  options.seed = seed;
  options.results_root = std::filesystem::path();  // a probe writes no results folder
  options.handle_signals = false;                  // the monitor owns SIGINT/SIGTERM/SIGHUP
  // A probe is itself a health check: a failing device is measured, not recovered.
  options.health_check = false;
  options.observe = [last](Timeline& timeline, const Scenario&) {
    timeline.subscribe([last](const Event& e) {
      if (e.kind == EventKind::led) last->led = e.name;
      if (e.kind == EventKind::cloud && e.data.is_object() && e.data.contains("status"))
        last->online = e.data.value("status", "") == "online";
    });
  };
  const RunReport report = run_scenario(scenario, one, registry, options);
  const RunResult& r = report.result;

  ProbeOutcome out{
      .device = device.name, .platform = std::string(device.platform->name), .probe = probe.name};
  out.took = std::chrono::duration_cast<Duration>(std::chrono::duration<double>(r.rig_seconds));
  out.online = last->online;
  out.led_state = last->led;
  for (const MeasurementSample& s : r.samples) {
    if (!s.value || !s.name.ends_with(kConnectSuffix)) continue;
    const std::string kind = s.name.substr(0, s.name.size() - kConnectSuffix.size());
    out.connect_seconds[kind] = to_seconds(from_unit(*s.value, s.unit));
  }
  std::vector<Failure> failures = r.run_failures;
  for (const CaseResult& c : r.cases) failures.insert(failures.end(), c.failures.begin(), c.failures.end());
  for (const Failure& f : failures) out.orphaned = out.orphaned || f.kind == "orphaned";
  if (r.passed()) {
    out.result = ProbeResult::success;
  } else {
    const auto worst = r.worst_class();
    out.result = worst == FailureClass::device || !worst ? ProbeResult::failure : ProbeResult::error;
    if (!failures.empty())
      out.reason = fmt::format("{}: {}", failures.front().kind, failures.front().message);
    for (const CriterionResult& c : r.criteria) {
      if (!c.passed && out.reason.empty())
        out.reason = fmt::format("slow: {} {} {} over the limit {}", c.measurement, c.statistic,
                                 c.actual.value_or(0), c.limit);
    }
  }
  return out;
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
