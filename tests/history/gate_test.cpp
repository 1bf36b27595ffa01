// The regression gate's statistics: noise passes, a real slowdown beyond the margin fails, and so
// does a device that stopped reaching the measurement's end at all.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "rig/gate/rank_test.hpp"
#include "rig/gate/regression_gate.hpp"

namespace cyanrig {
namespace {

GateSamples samples(const std::vector<double>& values, const std::string& platform = "argon") {
  GateSamples s{.measurement = "reconnect_time", .unit = "s", .platform = platform};
  for (const double v : values) s.values.emplace_back(v);
  return s;
}

// Reconnect times as the simulated rack gives them: skewed, a few seconds to tens of seconds.
std::vector<double> reconnects(unsigned seed, double scale, int n = 16) {
  std::mt19937 random(seed);
  std::lognormal_distribution<double> spread(std::log(8.0), 0.5);
  std::vector<double> out;
  for (int i = 0; i < n; ++i) out.push_back(spread(random) * scale);
  return out;
}

TEST(RankTest, ExactTailForSmallSamples) {
  // Candidate above every baseline value: 1 arrangement of C(6,3) = 20.
  const RankTest t = candidate_larger({1, 2, 3}, {4, 5, 6});
  EXPECT_TRUE(t.exact);
  EXPECT_EQ(t.u, 9);
  EXPECT_NEAR(t.p_value, 1.0 / 20, 1e-12);
  EXPECT_NEAR(t.smallest_p, 1.0 / 20, 1e-12);
  // U = 8: arrangements with U >= 8 are 2 of 20.
  EXPECT_NEAR(candidate_larger({1, 2, 4}, {3, 5, 6}).p_value, 2.0 / 20, 1e-12);
  EXPECT_NEAR(candidate_larger({4, 5, 6}, {1, 2, 3}).p_value, 1.0, 1e-12);
}

TEST(RankTest, NormalApproximationAgreesWithTheExactTailForLargerSamples) {
  const auto base = reconnects(1, 1.0, 25);
  const auto cand = reconnects(2, 1.2, 25);
  const RankTest exact = candidate_larger(base, cand);
  ASSERT_TRUE(exact.exact);
  std::vector<double> base_tied = base;
  base_tied.push_back(base.front());  // one tie forces the approximation
  const RankTest approx = candidate_larger(base_tied, cand);
  EXPECT_FALSE(approx.exact);
  EXPECT_NEAR(approx.p_value, exact.p_value, 0.03);
}

TEST(RankTest, CensoredSamplesRankAboveEveryMeasuredOne) {
  const double censored = INFINITY;
  const RankTest t = candidate_larger({5, 6, 7, 8}, {9, censored, censored, censored});
  EXPECT_EQ(t.u, 16);
}

TEST(Gate, NoiseBetweenSeedsDoesNotFail) {
  const GateSettings settings;
  int failed = 0;
  const int runs = 400;
  for (unsigned seed = 1; seed <= runs; ++seed) {
    // Four platforms gated at once, all noise.
    std::vector<GateSamples> base, cand;
    for (const char* platform : {"argon", "boron", "p2", "photon"}) {
      base.push_back(samples(reconnects(std::size_t{seed} * 8 + base.size(), 1.0), platform));
      cand.push_back(samples(reconnects(std::size_t{seed} * 8 + 4 + cand.size(), 1.0), platform));
    }
    const auto rows = compare_runs(base, cand, settings);
    failed += std::any_of(rows.begin(), rows.end(),
                          [](const GateRow& r) { return r.verdict == GateVerdict::regressed; });
  }
  // alpha (5 %) bounds the gate's false alarms as a whole; the margin makes them rarer still.
  EXPECT_LE(failed, runs * 5 / 100);
}

TEST(Gate, ASlowdownBeyondTheMarginFails) {
  const auto rows = compare_runs({samples(reconnects(1, 1.0))}, {samples(reconnects(2, 1.6))}, {});
  ASSERT_EQ(rows.size(), 1U);
  EXPECT_EQ(rows[0].verdict, GateVerdict::regressed);
  EXPECT_GT(*rows[0].change, 0.2);
  EXPECT_LT(rows[0].slower.p_value, 0.05);
}

TEST(Gate, ASignificantSlowdownWithinTheMarginPasses) {
  std::vector<double> base, cand;
  for (int i = 0; i < 20; ++i) {
    base.push_back(10 + 0.01 * i);
    cand.push_back(11 + 0.01 * i);  // always slower, but by 10 %
  }
  const auto rows = compare_runs({samples(base)}, {samples(cand)}, {.max_regression = 0.2});
  EXPECT_LT(rows[0].slower.p_value, 0.001);
  EXPECT_EQ(rows[0].verdict, GateVerdict::ok);
  EXPECT_EQ(compare_runs({samples(base)}, {samples(cand)}, {.max_regression = 0.05})[0].verdict,
            GateVerdict::regressed);
}

TEST(Gate, DevicesThatNoLongerReachTheEndAreARegression) {
  GateSamples cand = samples({8, 9});
  for (int i = 0; i < 6; ++i) cand.values.emplace_back(std::nullopt);
  const auto rows = compare_runs({samples({7, 8, 8.5, 9, 7.5, 8.2, 9.1, 8.8})}, {cand}, {});
  EXPECT_FALSE(rows[0].candidate_p75);  // censored: more than anything measured
  EXPECT_EQ(rows[0].candidate_missing, 6);
  EXPECT_EQ(rows[0].verdict, GateVerdict::regressed);
}

TEST(Gate, TooFewRepeatsToTellSaySo) {
  const auto rows = compare_runs({samples({5, 6})}, {samples({50, 60})}, {});
  EXPECT_EQ(rows[0].verdict, GateVerdict::too_few);  // 1 in 6 by chance: never significant
}

TEST(Gate, EachPlatformIsComparedWithItsOwnBaseline) {
  const auto rows = compare_runs({samples(reconnects(1, 1.0), "argon"), samples(reconnects(3, 1.0), "boron")},
                                 {samples(reconnects(2, 1.0), "argon"), samples(reconnects(4, 2.0), "boron"),
                                  samples(reconnects(5, 1.0), "p2")},
                                 {});
  ASSERT_EQ(rows.size(), 3U);
  EXPECT_EQ(rows[0].verdict, GateVerdict::ok);
  EXPECT_EQ(rows[1].verdict, GateVerdict::regressed);
  EXPECT_EQ(rows[2].verdict, GateVerdict::no_baseline);
}

TEST(Gate, MarginsAreWrittenAsPercentages) {
  EXPECT_EQ(parse_margin("20%"), 0.2);
  EXPECT_EQ(parse_margin("5"), 0.05);
  EXPECT_FALSE(parse_margin("-5%"));
  EXPECT_FALSE(parse_margin("twenty"));
  EXPECT_FALSE(parse_margin(""));
}

}  // namespace
}  // namespace cyanrig
