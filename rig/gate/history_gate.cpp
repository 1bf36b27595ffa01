#include "rig/gate/history_gate.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <stdexcept>

namespace cyanrig {

namespace {

std::int64_t baseline_run(RunHistory& history, const HistoryRun& candidate, const std::string& spec) {
  std::optional<std::int64_t> found;
  if (spec == "last-pass") {
    found = history.last_pass(candidate.scenario, candidate.id);
    if (!found)
      throw std::invalid_argument(
          fmt::format("no passing run of {} before run {}", candidate.scenario, candidate.id));
  } else if (spec.starts_with("tag:")) {
    found = history.tagged(candidate.scenario, spec.substr(4), candidate.id);
    if (!found)
      throw std::invalid_argument(fmt::format("no run of {} tagged '{}' before run {}", candidate.scenario,
                                              spec.substr(4), candidate.id));
  } else {
    std::int64_t id = 0;
    const auto [end, ec] = std::from_chars(spec.data(), spec.data() + spec.size(), id);
    if (spec.empty() || ec != std::errc{} || end != spec.data() + spec.size())
      throw std::invalid_argument(
          fmt::format("baseline '{}': expected last-pass, a run number or tag:NAME", spec));
    const auto run = history.run(id);
    if (!run) throw std::invalid_argument(fmt::format("baseline: no run {} in the history", id));
    if (run->scenario != candidate.scenario)
      throw std::invalid_argument(
          fmt::format("baseline run {} is of {}, not {}", id, run->scenario, candidate.scenario));
    found = id;
  }
  return *found;
}

std::vector<GateSamples> samples_of(RunHistory& history, std::int64_t run,
                                    const std::vector<std::string>& names) {
  std::vector<GateSamples> out;
  for (const std::string& name : names) {
    const auto samples = history.samples({run}, name);
    std::vector<std::string> platforms;
    for (const HistorySample& s : samples) {
      if (std::find(platforms.begin(), platforms.end(), s.platform) == platforms.end())
        platforms.push_back(s.platform);
    }
    std::sort(platforms.begin(), platforms.end());
    for (const std::string& platform : platforms) {
      GateSamples g{.measurement = name, .platform = platform};
      for (const HistorySample& s : samples) {
        if (s.platform == platform) g.values.push_back(s.value);
      }
      out.push_back(std::move(g));
    }
  }
  return out;
}

}  // namespace

bool GateOutcome::regressed() const {
  return std::any_of(rows.begin(), rows.end(),
                     [](const GateRow& r) { return r.verdict == GateVerdict::regressed; });
}

GateOutcome gate_run(RunHistory& history, std::int64_t candidate, const std::string& baseline,
                     const GateSettings& settings) {
  const auto run = history.run(candidate);
  if (!run) throw std::invalid_argument(fmt::format("no run {} in the history", candidate));
  GateOutcome outcome{.candidate = candidate, .baseline = baseline_run(history, *run, baseline)};
  const auto names = history.measurement_names(candidate);
  outcome.rows = compare_runs(samples_of(history, outcome.baseline, names),
                              samples_of(history, candidate, names), settings);
  const auto units = history.measurement_units(candidate);
  for (GateRow& row : outcome.rows) {
    if (const auto it = units.find(row.measurement); it != units.end()) row.unit = it->second;
  }
  return outcome;
}

}  // namespace cyanrig
