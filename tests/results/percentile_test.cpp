#include <gtest/gtest.h>

#include <stdexcept>

#include "rig/results/writers.hpp"

namespace cyanrig {
namespace {

// Expected values worked by hand with numpy's rule: rank = (n - 1) * p / 100, interpolate between
// the values either side of the rank.
TEST(Percentile, InterpolatesBetweenClosestRanks) {
  const std::vector<double> v{1, 2, 3, 4};
  EXPECT_DOUBLE_EQ(*percentile(v, 50), 2.5);   // rank 1.5
  EXPECT_DOUBLE_EQ(*percentile(v, 75), 3.25);  // rank 2.25
  EXPECT_DOUBLE_EQ(*percentile(v, 25), 1.75);  // rank 0.75
  EXPECT_DOUBLE_EQ(*percentile(v, 95), 3.85);  // rank 2.85
}

TEST(Percentile, SortsItsInput) {
  // Sorted: 15 20 35 40 50. p95 rank 3.8 -> 40 + 0.8 * 10; p40 rank 1.6 -> 20 + 0.6 * 15.
  const std::vector<double> v{50, 15, 40, 20, 35};
  EXPECT_DOUBLE_EQ(*percentile(v, 95), 48.0);
  EXPECT_DOUBLE_EQ(*percentile(v, 40), 29.0);
  EXPECT_DOUBLE_EQ(*percentile(v, 50), 35.0);
}

TEST(Percentile, EndsAreMinimumAndMaximum) {
  const std::vector<double> v{7.5, -2, 3};
  EXPECT_DOUBLE_EQ(*percentile(v, 0), -2);
  EXPECT_DOUBLE_EQ(*percentile(v, 100), 7.5);
}

TEST(Percentile, OneSampleIsEveryPercentile) {
  EXPECT_DOUBLE_EQ(*percentile({42}, 0), 42);
  EXPECT_DOUBLE_EQ(*percentile({42}, 95), 42);
}

TEST(Percentile, EmptyInputHasNone) {
  EXPECT_FALSE(percentile({}, 50).has_value());
}

TEST(Percentile, RejectsRanksOutsideZeroToHundred) {
  EXPECT_THROW(percentile({1, 2}, -1), std::invalid_argument);
  EXPECT_THROW(percentile({1, 2}, 100.5), std::invalid_argument);
  EXPECT_THROW(percentile({1, 2}, std::nan("")), std::invalid_argument);
}

TEST(Statistic, NamesTheSameStatisticsCriteriaUse) {
  const std::vector<double> v{4, 1, 3, 2};
  EXPECT_DOUBLE_EQ(*statistic(v, "min"), 1);
  EXPECT_DOUBLE_EQ(*statistic(v, "max"), 4);
  EXPECT_DOUBLE_EQ(*statistic(v, "mean"), 2.5);
  EXPECT_DOUBLE_EQ(*statistic(v, "p75"), 3.25);
  EXPECT_DOUBLE_EQ(*statistic(v, "p99.5"), 3.985);  // rank 2.985
  EXPECT_FALSE(statistic({}, "max").has_value());
  EXPECT_FALSE(statistic({}, "p95").has_value());
}

TEST(Statistic, RejectsUnknownNames) {
  for (const char* name : {"median", "p", "p101", "p-5", "p95x", "P95", ""}) {
    EXPECT_THROW(statistic({1.0}, name), std::invalid_argument) << name;
  }
}

}  // namespace
// A repeat that never got there counts above every value: statistics that fall on it have no value.
TEST(CensoredStatistic, MissingSamplesSortAfterEveryValue) {
  const std::vector<double> v = {10, 20, 30};
  EXPECT_FALSE(censored_statistic(v, 2, "max"));
  EXPECT_FALSE(censored_statistic(v, 2, "mean"));
  EXPECT_DOUBLE_EQ(*censored_statistic(v, 2, "min"), 10);
  EXPECT_DOUBLE_EQ(*censored_statistic(v, 2, "p50"), 30);  // rank 2 of 5: the last real value
  EXPECT_FALSE(censored_statistic(v, 2, "p75"));           // rank 3: a missing one
  EXPECT_DOUBLE_EQ(*censored_statistic(v, 1, "p25"), 17.5);
  EXPECT_DOUBLE_EQ(*censored_statistic(v, 0, "max"), 30);  // none missing: as statistic()
  EXPECT_FALSE(censored_statistic({}, 3, "min"));
}

}  // namespace cyanrig
