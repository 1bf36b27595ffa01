#include "rig/engine/measurements.hpp"

#include <fmt/format.h>

#include "rig/engine/timeline_query.hpp"
#include "rig/results/rounding.hpp"
#include "rig/results/writers.hpp"

namespace cyanrig {

Measurements::Measurements(RunContext& run, std::vector<const RackDevice*> devices, CaseClass case_class)
    : run_(run), devices_(std::move(devices)), case_class_(std::move(case_class)) {}

void Measurements::repeat_ended(int repeat, Instant start, Instant end) {
  if (run_.scenario.measurements.empty()) return;
  Pending& p = pending_.emplace_back(Pending{.repeat = repeat, .start = start, .end = end, .due = {}});
  p.due = run_.clock.at(end + kLedRecognitionHorizon, [this] { take_due(); });
}

Instant Measurements::needed_from() const {
  return pending_.empty() ? run_.clock.now() : pending_.front().start;
}

void Measurements::take_due() {
  while (!pending_.empty() && pending_.front().end + kLedRecognitionHorizon <= run_.clock.now()) {
    const Pending p = {pending_.front().repeat, pending_.front().start, pending_.front().end, {}};
    pending_.pop_front();
    take(p.repeat, p.start, p.end, run_.clock.now());
  }
}

void Measurements::finish() {
  // The observers are closed: nothing later can change what the timeline says.
  const Instant final_now = run_.clock.now() + kLedRecognitionHorizon;
  while (!pending_.empty()) {
    const Pending p = {pending_.front().repeat, pending_.front().start, pending_.front().end, {}};
    pending_.pop_front();
    take(p.repeat, p.start, p.end, final_now);
  }
  evaluate();
}

void Measurements::take(int repeat, Instant start, Instant stop, Instant now) {
  for (const Measurement& m : run_.scenario.measurements) {
    for (const RackDevice* device : devices_) {
      const std::string& name = device->name;
      nlohmann::json data = {{"repeat", repeat}, {"unit", m.unit}};
      Sample sample{
          .measurement = m.name, .device = name, .value = std::nullopt, .missing_because = std::nullopt};
      std::string missing;
      const auto a = find_observation(run_.timeline, name, m.from, start, stop, now);
      if (!a.match) {
        missing = fmt::format("no {} in repeat {}", m.from.describe(), repeat);
      } else {
        const auto b = find_observation(run_.timeline, name, m.to, a.match->at, stop, now);
        if (!b.match) {
          missing = fmt::format("no {} after {} in repeat {}", m.to.describe(), m.from.describe(), repeat);
        } else {
          sample.value = in_unit(b.match->at - a.match->at, m.unit);
          data["value"] = rounded(*sample.value, 3);
        }
      }
      if (!sample.value) {
        data["missing"] = missing;
        const auto cls = case_class_(name, repeat);
        if (cls && *cls != FailureClass::device) {
          sample.missing_because = cls;
          data["missing_because"] = to_string(*cls);
        } else if (!cls) {
          // Nothing else explains it: the device never got there.
          run_.timeline.record(EventKind::failure, name, "measurement",
                               {{"class", "device"},
                                {"repeat", repeat},
                                {"message", fmt::format("{}: measurement {}: {}", name, m.name, missing)}});
        }
      }
      run_.timeline.record(EventKind::measurement, name, m.name, std::move(data));
      samples_.push_back(std::move(sample));
    }
  }
}

void Measurements::evaluate() {
  for (const Measurement& m : run_.scenario.measurements) {
    for (const RackDevice* device : devices_) {
      std::vector<double> values;
      std::size_t device_missing = 0;  // the device never got there
      std::size_t lab_missing = 0;     // its case failed for the lab (or the scenario)
      std::optional<FailureClass> lab;
      for (const Sample& s : samples_) {
        if (s.measurement != m.name || s.device != device->name) continue;
        if (s.value) {
          values.push_back(*s.value);
        } else if (s.missing_because) {
          ++lab_missing;
          if (!lab || *s.missing_because == FailureClass::infrastructure) lab = s.missing_because;
        } else {
          ++device_missing;
        }
      }
      const std::size_t missing = device_missing + lab_missing;
      for (const Criterion& c : m.pass) {
        const double limit = in_unit(run_.scenario.resolve(c.limit, *device), m.unit);
        const auto actual = censored_statistic(values, missing, c.statistic);
        const bool passed = actual && *actual <= limit;
        nlohmann::json data = {{"statistic", c.statistic},
                               {"limit", limit},
                               {"actual", actual ? nlohmann::json(rounded(*actual, 6)) : nlohmann::json()},
                               {"unit", m.unit},
                               {"count", values.size() + missing},
                               {"missing", missing},
                               {"passed", passed}};
        // A statistic that fails only because of samples the lab lost is inconclusive, not the device's.
        if (!passed) {
          const auto device_only = censored_statistic(values, device_missing, c.statistic);
          const bool device_fails = device_only ? *device_only > limit : device_missing > 0 || !lab;
          data["class"] = device_fails ? "device" : std::string(to_string(*lab));
        }
        run_.timeline.record(EventKind::criterion, device->name, m.name, std::move(data));
      }
    }
  }
}

}  // namespace cyanrig
