#include "rig/monitor/metrics.hpp"

#include <gtest/gtest.h>

#include "rig/monitor/canary_metrics.hpp"

namespace cyanrig::monitor {
namespace {

TEST(MetricsRegistry, WritesFamiliesInTheTextFormat) {
  MetricsRegistry r;
  r.declare("cyanrig_device_online", "1 if online.", MetricType::gauge, {"device"});
  r.declare("cyanrig_probe_runs_total", "Probes.", MetricType::counter, {"device", "result"});
  r.set("cyanrig_device_online", {"argon-1"}, 1);
  r.add("cyanrig_probe_runs_total", {"argon-1", "success"});
  r.add("cyanrig_probe_runs_total", {"argon-1", "success"});
  EXPECT_EQ(r.exposition(),
            "# HELP cyanrig_device_online 1 if online.\n"
            "# TYPE cyanrig_device_online gauge\n"
            "cyanrig_device_online{device=\"argon-1\"} 1\n"
            "# HELP cyanrig_probe_runs_total Probes.\n"
            "# TYPE cyanrig_probe_runs_total counter\n"
            "cyanrig_probe_runs_total{device=\"argon-1\",result=\"success\"} 2\n");
}

TEST(MetricsRegistry, HistogramBucketsAreCumulativeWithInfSumAndCount) {
  MetricsRegistry r;
  r.declare("d_seconds", "D.", MetricType::histogram, {"kind"}, {30, 10});
  r.observe("d_seconds", {"cold"}, 8);
  r.observe("d_seconds", {"cold"}, 25);
  r.observe("d_seconds", {"cold"}, 100);
  EXPECT_EQ(r.exposition(),
            "# HELP d_seconds D.\n# TYPE d_seconds histogram\n"
            "d_seconds_bucket{kind=\"cold\",le=\"10\"} 1\n"
            "d_seconds_bucket{kind=\"cold\",le=\"30\"} 2\n"
            "d_seconds_bucket{kind=\"cold\",le=\"+Inf\"} 3\n"
            "d_seconds_sum{kind=\"cold\"} 133\n"
            "d_seconds_count{kind=\"cold\"} 3\n");
}

TEST(MetricsRegistry, EscapesLabelValues) {
  EXPECT_EQ(escape_label_value("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(MetricsRegistry, ForgetsADevicesSeriesEverywhere) {
  MetricsRegistry r;
  r.declare("g", "G.", MetricType::gauge, {"device"});
  r.declare("h", "H.", MetricType::histogram, {"device"}, {1});
  r.set("g", {"a"}, 1);
  r.set("g", {"b"}, 1);
  r.observe("h", {"a"}, 0.5);
  r.forget("device", "a");
  const std::string text = r.exposition();
  EXPECT_EQ(text.find("\"a\""), std::string::npos) << text;
  EXPECT_NE(text.find("g{device=\"b\"} 1"), std::string::npos) << text;
}

TEST(MetricsRegistry, RejectsUndeclaredNamesAndWrongLabelCounts) {
  MetricsRegistry r;
  r.declare("g", "G.", MetricType::gauge, {"device"});
  EXPECT_THROW(r.set("nope", {"a"}, 1), std::logic_error);
  EXPECT_THROW(r.set("g", {"a", "b"}, 1), std::logic_error);
}

ProbeOutcome outcome(ProbeResult result, std::string led) {
  return ProbeOutcome{.device = "argon-1",
                      .platform = "argon",
                      .probe = "canary",
                      .result = result,
                      .connect_seconds = {{"cold", 12.5}},
                      .online = true,
                      .led_state = std::move(led)};
}

TEST(CanaryMetrics, AFailedProbeKeepsTheLastSuccessTimeAndCountsByResult) {
  MetricsRegistry r;
  CanaryMetrics m(r);
  m.record(outcome(ProbeResult::success, "breathing_cyan"), 1000);
  m.record(outcome(ProbeResult::failure, "blinking_green"), 2000);
  const std::string text = r.exposition();
  EXPECT_NE(text.find("cyanrig_probe_success{device=\"argon-1\",platform=\"argon\",probe=\"canary\"} 0\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("cyanrig_last_success_timestamp_seconds{device=\"argon-1\",probe=\"canary\"} 1000\n"),
            std::string::npos);
  EXPECT_NE(text.find("cyanrig_last_probe_timestamp_seconds{device=\"argon-1\",probe=\"canary\"} 2000\n"),
            std::string::npos);
  EXPECT_NE(text.find("cyanrig_probe_runs_total{device=\"argon-1\",probe=\"canary\",result=\"failure\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("cyanrig_led_state{device=\"argon-1\",state=\"blinking_green\"} 1\n"),
            std::string::npos);
  EXPECT_NE(text.find("cyanrig_led_state{device=\"argon-1\",state=\"breathing_cyan\"} 0\n"),
            std::string::npos);
  EXPECT_NE(
      text.find(
          "cyanrig_connect_duration_seconds_count{device=\"argon-1\",platform=\"argon\",kind=\"cold\"} 2\n"),
      std::string::npos);
}

TEST(CanaryMetrics, ASkippedProbeIsOnlyCounted) {
  MetricsRegistry r;
  CanaryMetrics m(r);
  m.record(outcome(ProbeResult::skipped, "breathing_cyan"), 1000);
  const std::string text = r.exposition();
  EXPECT_NE(text.find("result=\"skipped\"} 1\n"), std::string::npos);
  EXPECT_EQ(text.find("cyanrig_probe_success{"), std::string::npos) << text;
}

}  // namespace
}  // namespace cyanrig::monitor
