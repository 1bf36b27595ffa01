#include "rig/monitor/probe_schedule.hpp"

#include <gtest/gtest.h>

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

TEST(ProbeSchedule, SpreadsDevicesEvenlyAcrossThePeriod) {
  ProbeSchedule s({"a", "b", "c", "d"}, 4min, Instant{});
  std::vector<std::pair<std::string, Duration>> seen;
  for (int i = 0; i < 4; ++i) {
    const auto due = s.next();
    seen.emplace_back(due.device, due.at.time_since_epoch());
    s.done(due.device, due.at + 10s);
  }
  const std::vector<std::pair<std::string, Duration>> expected = {
      {"a", 0min}, {"b", 1min}, {"c", 2min}, {"d", 3min}};
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(s.next().device, "a");
  EXPECT_EQ(s.next().at.time_since_epoch(), 4min);  // one period after it was due, not after it ended
}

TEST(ProbeSchedule, AnOverrunningProbeOnlyPushesItsOwnDevice) {
  ProbeSchedule s({"a", "b"}, 2min, Instant{});
  s.done("a", Instant{} + 5min);  // a's probe took 5 minutes, longer than the period
  EXPECT_EQ(s.next().device, "b");
  s.done("b", Instant{} + 5min + 10s);
  EXPECT_EQ(s.next().device, "a");
  EXPECT_EQ(s.next().at.time_since_epoch(), 5min);
}

}  // namespace
}  // namespace cyanrig::monitor
