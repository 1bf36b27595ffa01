// The regression gate: each measurement, per platform, in a candidate run against a baseline run.
// A measurement regressed when both
//   - its p75 got worse by more than the allowed margin (p75 candidate > p75 baseline * (1 + margin)), and
//   - the slowdown is more than noise: a one-sided Mann-Whitney rank test over the repeats' values
//     (every device of the platform, every repeat) says p < alpha, with Holm's correction over all
//     the rows compared, so alpha bounds the chance that noise fails the gate as a whole.
// Censored samples (a repeat that never reached the measurement's end) rank above every measured
// value and make a p75 that falls on them infinite. Deterministic: no resampling, no random numbers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rig/gate/rank_test.hpp"

namespace cyanrig {

struct GateSettings {
  double max_regression = 0.20;  // the margin: 0.20 = 20 % slower p75 is still acceptable
  double alpha = 0.05;           // the gate's significance level (family-wise, over every row)
};

// One platform's samples of one measurement in one run; empty values are censored.
struct GateSamples {
  std::string measurement;
  std::string unit;
  std::string platform;
  std::vector<std::optional<double>> values;
};

enum class GateVerdict {
  ok,           // not slower beyond the margin, or not significantly
  regressed,    // slower beyond the margin and significantly: fails the gate
  improved,     // faster beyond the margin and significantly
  too_few,      // these sample sizes cannot reach significance: repeat more
  no_baseline,  // the baseline has no samples of it: nothing to compare
};

struct GateRow {
  std::string measurement;
  std::string unit;
  std::string platform;
  int baseline_count = 0, baseline_missing = 0;
  int candidate_count = 0, candidate_missing = 0;
  std::optional<double> baseline_p75;   // empty when censored (or no samples)
  std::optional<double> candidate_p75;  // empty when censored (or no samples)
  std::optional<double> change;         // p75 candidate / baseline - 1; empty when either is censored
  RankTest slower;                      // candidate larger than baseline
  RankTest faster;                      // baseline larger than candidate
  GateVerdict verdict = GateVerdict::ok;
};

// One row per candidate measurement and platform, in the candidate's order.
std::vector<GateRow> compare_runs(const std::vector<GateSamples>& baseline,
                                  const std::vector<GateSamples>& candidate, const GateSettings& settings);

std::string_view to_string(GateVerdict v);

// A margin as users write it: "20%" or "20" both mean 20 % (0.20); negative or unreadable text gives
// nothing.
std::optional<double> parse_margin(std::string_view text);

}  // namespace cyanrig
