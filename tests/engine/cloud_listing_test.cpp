// The cloud's "online" counts only for the session the device is in. A Boron the rig power-cycles
// during an outage stays listed online for up to two cellular keepalives (46 min): that listing
// must neither pass `expect: {cloud: online}` nor make a `cloud: online` measurement read 0 s.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>

#include "run_support.hpp"

using namespace cyanrig;
using namespace cyanrig::test;
using ::testing::HasSubstr;

namespace {

// A scenario on every device that boots it, waits for the cloud to list it online, then starts a
// cloud outage and goes on with `rest` (steps, then any other top-level fields).
std::string online_then_outage(const std::string& rest) {
  return R"(scenario: cloud_listing
devices: all
steps:
  - power: cycle
    off_for: 5s
  - mark: powered
  - expect: {cloud: online, within: 5m, from: powered}
  - outage: start
    mode: cloud
    action: drop
)" + rest;
}

// reboot_during_outage reduced to the cloud's side: nothing else looks at the device after the outage.
std::string cloud_only_after_reboot() {
  return online_then_outage(R"(  - power: cycle
    off_for: 5s
  - wait: 3m
  - outage: stop
  - mark: outage_end
  - expect: {cloud: online, within: 6m, from: outage_end}
measure:
  - name: cloud_online_time
    from: outage_end
    to: {cloud: online}
    unit: s
    pass: {max: 6m}
)");
}

const Event* first_after(const Outcome& out, const std::string& device, Instant after,
                         const std::function<bool(const Event&)>& wanted) {
  const auto it = std::find_if(out.events.begin(), out.events.end(), [&](const Event& e) {
    return e.device == device && e.t >= after && wanted(e);
  });
  return it == out.events.end() ? nullptr : &*it;
}

const Event* mark(const Outcome& out, const std::string& device, const std::string& name) {
  return first_after(out, device, Instant{},
                     [&](const Event& e) { return e.kind == EventKind::mark && e.name == name; });
}

}  // namespace

TEST(CloudListing, ARebootedDeviceTheCloudStillListsOnlineHasNotReconnected) {
  const Outcome out = run(scenario_from_text(cloud_only_after_reboot()),
                          sim_rack({"boron-1"}, {{"boron-1", "stuck_after_outage_boot"}}));
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure) << out.failures();
  const CaseResult* failed = out.failed_case("boron-1");
  ASSERT_NE(failed, nullptr);
  const Failure& f = failed->failures.front();
  EXPECT_EQ(f.cls, FailureClass::device);
  EXPECT_EQ(f.kind, "timeout");
  EXPECT_THAT(f.message, HasSubstr("expected cloud status online within 6m of outage_end"));
  // Every wait for a cloud status also polls GET /v1/devices/{id}, which kept answering "online":
  // that did not count either. The message says why.
  EXPECT_THAT(f.message, HasSubstr("cloud online (stale since"));
  EXPECT_THAT(f.message, HasSubstr("the rig cut the device's power"));
  // The cloud never said otherwise: the listing was "online" all along.
  const Event* end = mark(out, "boron-1", "outage_end");
  ASSERT_NE(end, nullptr);
  EXPECT_EQ(
      first_after(out, "boron-1", end->t,
                  [](const Event& e) { return e.kind == EventKind::cloud && e.name == "spark/status"; }),
      nullptr);
  ASSERT_EQ(r.samples.size(), 1U);
  EXPECT_FALSE(r.samples[0].value);
}

TEST(CloudListing, TheTimeToOnlineAfterARebootIsTheCloudsNewOnline) {
  const Outcome out = run(scenario_from_text(cloud_only_after_reboot()), sim_rack({"boron-1"}));
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::pass) << out.failures();
  const Event* end = mark(out, "boron-1", "outage_end");
  ASSERT_NE(end, nullptr);
  const Event* online = first_after(out, "boron-1", end->t, [](const Event& e) {
    return e.kind == EventKind::cloud && e.name == "spark/status" && e.data.value("status", "") == "online";
  });
  ASSERT_NE(online, nullptr);
  ASSERT_EQ(r.samples.size(), 1U);
  ASSERT_TRUE(r.samples[0].value);
  // Not 0 s (the stale listing at outage_end): the time until the cloud announced the new session.
  EXPECT_GT(*r.samples[0].value, 1.0);
  EXPECT_NEAR(*r.samples[0].value, to_seconds(online->t - end->t), 0.001);
}

// A Boron notices a cloud outage at its next keepalive (23 min) and says so in its log; the cloud
// notices only after two (46 min). In between the cloud still lists it online: that listing is of
// the session the device has just reported lost.
TEST(CloudListing, ADeviceThatReportedLosingTheCloudIsNotOnlineByAnOldListing) {
  const Outcome out = run(scenario_from_text(online_then_outage(
                              R"(  - expect: {event: cloud_disconnected, within: 30m, from: step_start}
  - expect: {cloud: online, within: 2m, from: step_start}
)")),
                          sim_rack({"boron-1"}));
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::device_failure) << out.failures();
  const CaseResult* failed = out.failed_case("boron-1");
  ASSERT_NE(failed, nullptr);
  EXPECT_THAT(failed->failures.front().message, HasSubstr("expected cloud status online within 2m"));
  EXPECT_THAT(failed->failures.front().message,
              HasSubstr("(stale since 00:2"));  // minutes into the outage, not at the power cycle
  EXPECT_THAT(failed->failures.front().message, HasSubstr("the device reported losing the cloud"));
  // Once: the power cut at the run's end finds the listing already stale.
  EXPECT_EQ(out.count(EventKind::cloud, "listing_stale", "boron-1"), 1U);
}
