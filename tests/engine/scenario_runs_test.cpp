// Every shipped scenario passes on the healthy simulated rack, and fails — with the right device,
// class and message — on a rack carrying the fault it exists to catch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "run_support.hpp"

using namespace cyanrig;
using namespace cyanrig::test;
using ::testing::HasSubstr;

namespace {

std::string failures_text(const RunResult& r) {
  std::string out;
  for (const auto& c : r.cases) {
    for (const auto& f : c.failures) out += c.device + ": " + f.message + "\n";
  }
  for (const auto& c : r.criteria) {
    if (!c.passed) out += c.scope + ": criterion " + c.measurement + " " + c.statistic + "\n";
  }
  for (const auto& f : r.run_failures) out += "rack: " + f.message + "\n";
  return out;
}

class ShippedScenario : public ::testing::TestWithParam<std::string> {};

}  // namespace

TEST_P(ShippedScenario, PassesOnTheHealthySimulatedRack) {
  const Outcome out = run(shipped_scenario(GetParam()), sim_rack());
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::pass) << failures_text(r);
  EXPECT_EQ(r.devices.size(), 8U);
  EXPECT_EQ(r.cases.size(), 8U * static_cast<std::size_t>(r.repeats));
  for (const auto& sample : r.samples)
    EXPECT_TRUE(sample.value) << sample.device << " " << sample.name << ": " << sample.missing;
  for (const auto& c : r.criteria)
    EXPECT_TRUE(c.passed) << c.scope << " " << c.measurement << " " << c.statistic;
  // Whatever happened, outages are lifted and the relays end in the safe state.
  EXPECT_EQ(out.count(EventKind::outage, "start"), out.count(EventKind::outage, "stop"));
  for (const auto& d : r.devices) {
    const Event* last_power = nullptr;
    for (const Event& e : out.events) {
      if (e.kind == EventKind::power && e.device == d.name) last_power = &e;
    }
    ASSERT_NE(last_power, nullptr);
    EXPECT_EQ(last_power->name, "off") << d.name;
  }
}

INSTANTIATE_TEST_SUITE_P(Shipped, ShippedScenario,
                         ::testing::Values("reboot_during_outage", "sleep_recovery", "ota_update",
                                           "connect_time_slo", "orphan_check"),
                         [](const ::testing::TestParamInfo<std::string>& param) { return param.param; });

// A shipped scenario on two devices of a platform, one carrying the fault the scenario exists to
// catch: only that device fails, with a device-class failure whose message says what was expected.
struct FaultCase {
  std::string scenario;
  std::string faulty;
  std::string healthy;
  std::string fault;
  std::string kind;
  std::string message;
};

void PrintTo(const FaultCase& c, std::ostream* os) {
  *os << c.scenario << " with " << c.fault;
}

class FaultyRack : public ::testing::TestWithParam<FaultCase> {};

TEST_P(FaultyRack, OnlyTheFaultyDeviceFailsAndTheMessageSaysWhy) {
  const FaultCase& c = GetParam();
  const Outcome out =
      run(shipped_scenario(c.scenario), sim_rack({c.faulty, c.healthy}, {{c.faulty, c.fault}}));
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure);
  ASSERT_NE(out.failed_case(c.faulty), nullptr) << failures_text(r);
  EXPECT_EQ(out.failed_case(c.healthy), nullptr) << failures_text(r);
  const Failure& f = out.failed_case(c.faulty)->failures.front();
  EXPECT_EQ(f.cls, FailureClass::device);
  EXPECT_EQ(f.kind, c.kind);
  EXPECT_THAT(f.message, HasSubstr(c.message));
  EXPECT_EQ(out.device(c.faulty)->failure_class, FailureClass::device);
  EXPECT_TRUE(out.device(c.healthy)->passed);
}

INSTANTIATE_TEST_SUITE_P(
    Shipped, FaultyRack,
    ::testing::Values(
        FaultCase{"reboot_during_outage", "argon-1", "argon-2", "stuck_after_outage_boot", "timeout",
                  "expected LED breathing_cyan within 3m of outage_end"},
        FaultCase{
            "orphan_check", "p2-1", "p2-2", "orphan_after_outage", "orphaned",
            "function ping() timed out (HTTP 408) while the device was breathing cyan and the cloud listed "
            "it online"},
        FaultCase{"sleep_recovery", "argon-1", "argon-2", "slow_sleep_recovery", "timeout",
                  "expected LED breathing_cyan within 1m30s of woke"},
        FaultCase{"ota_update", "argon-1", "argon-2", "failed_ota", "timeout",
                  "expected cloud event spark/flash/status 'success'"}),
    [](const ::testing::TestParamInfo<FaultCase>& param) { return param.param.scenario; });

TEST(FaultyRackSlo, ConnectTimeSloCatchesFlakyBackoff) {
  const Outcome out = run(shipped_scenario("connect_time_slo"),
                          sim_rack({"argon-1", "argon-2"}, {{"argon-1", "flaky_backoff", 0.95}}));
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure) << failures_text(r);
  const DeviceSummary* argon1 = out.device("argon-1");
  ASSERT_NE(argon1, nullptr);
  EXPECT_FALSE(argon1->passed);
  EXPECT_EQ(argon1->failure_class, FailureClass::device);
  EXPECT_TRUE(out.device("argon-2")->passed) << failures_text(r);
  bool slo_failed = false;
  for (const auto& c : r.criteria) {
    if (c.scope == "argon-1" && c.measurement == "cold_connect" && c.statistic == "p75") {
      slo_failed = !c.passed;
      // Either every repeat connected and the p75 is over the SLO, or it falls on a repeat that
      // never connected within the measurement's window: then it is only known to be above it.
      if (c.actual) {
        EXPECT_GT(*c.actual, 60.0);
      } else {
        EXPECT_GT(c.missing, 0U);
      }
    }
  }
  EXPECT_TRUE(slo_failed) << failures_text(r);
}

TEST(FaultyRackSlo, BadKeysNeverConnectAndTheFailureSaysWhatTheLedShowed) {
  const Outcome out =
      run(shipped_scenario("connect_time_slo"), sim_rack({"photon-1"}, {{"photon-1", "bad_keys"}}));
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure);
  ASSERT_NE(out.failed_case("photon-1"), nullptr);
  const Failure& f = out.failed_case("photon-1")->failures.front();
  EXPECT_EQ(f.cls, FailureClass::device);
  EXPECT_THAT(f.message, HasSubstr("expected Device OS event cloud_connected within 5m of cold_boot"));
  EXPECT_THAT(f.message, HasSubstr("cloud offline"));
  // The bad-keys signature the field reported: fast cyan, then a single red flash, over and over.
  std::size_t red_flashes = 0;
  std::size_t fast_cyan = 0;
  for (const Event& e : out.events) {
    if (e.kind != EventKind::led || e.device != "photon-1") continue;
    if (e.name == "cloud_error" && e.data.value("color", "") == "red" && e.data.value("count", 0) == 1)
      ++red_flashes;
    if (e.name == "fast_blinking_cyan") ++fast_cyan;
  }
  EXPECT_GE(red_flashes, 3U);
  EXPECT_GE(fast_cyan, 3U);
}
