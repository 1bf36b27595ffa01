// The verdict matrix: every device fault model of the simulated devices and every lab fault the rig
// must not blame on a device, each run end to end on the simulated rack, with the exit code, the
// class of each device and the element junit.xml gives each of its cases. A green run must mean the
// devices came back by themselves; a red one must name the true cause.
//
// The table printed by this test (build/<preset>/tests/engine/verdict-matrix.md) is the one in
// docs/results.md. Runs through `cyanrig sim serve` are in tests/serve; the outage rows through the
// real nftables backend are tests/outage/nftables_verdicts_test.cpp, and that backend's own proofs
// (counters, a table flushed from outside, the lapse after SIGKILL) are beside it in tests/outage.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>

#include "run_support.hpp"
#include "tests/support/temp_dir.hpp"
#include "verdict_row.hpp"

namespace cyanrig::test {
namespace {

using ::testing::HasSubstr;

// A cloud outage of `length` on every selected device's segment, with a reconnect measurement.
std::string outage_scenario(const std::string& length) {
  return R"(scenario: outage_check
devices: all
limits: {boot: 2m, reconnect: 3m, outage: )" +
         length + R"(}
overrides:
  cellular: {boot: 5m, reconnect: 6m}
steps:
  - power: cycle
    off_for: 5s
  - mark: powered
  - expect: {led: breathing_cyan, within: boot, from: powered}
  - outage: start
    mode: cloud
    action: drop
  - wait: outage
  - outage: stop
  - mark: outage_end
  - expect: {led: breathing_cyan, within: reconnect, from: outage_end}
  - expect: {call: ping, returns: 1, within: 45s, from: step_start}
measure:
  - name: reconnect_time
    from: outage_end
    to: {led: breathing_cyan}
    unit: s
    pass: {max: reconnect}
)";
}

// Boot, then wait for the cloud to list the device online.
const char* const kCloudScenario = R"(scenario: cloud_check
devices: all
steps:
  - power: cycle
    off_for: 5s
  - mark: powered
  - expect: {cloud: online, within: 5m, from: powered}
)";

struct Row {
  std::string name;      // what is wrong
  std::string cause;     // "device" or "lab"
  std::string scenario;  // a shipped name, or YAML text (contains a newline)
  std::vector<std::string> devices;
  std::function<void(Rack&)> setup;
  int exit_code;
  // device -> class ("pass", "device", "infrastructure", "scenario", "skipped") and, for a failing
  // device, the kind of its first failure.
  std::map<std::string, std::pair<std::string, std::string>> expected;
};

// gtest names a failing row by its name, not by its bytes.
void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

Scenario scenario_of(const Row& row) {
  return row.scenario.find('\n') == std::string::npos ? shipped_scenario(row.scenario)
                                                      : scenario_from_text(row.scenario);
}

void fault(Rack& rack, const std::string& device, const std::string& name, double probability = 1.0) {
  device_of(rack, device).faults.push_back(FaultSpec{.name = name, .probability = probability});
}

std::vector<Row> rows() {
  const std::vector<std::string> argons = {"argon-1", "argon-2"};
  const auto device_fault = [&](const std::string& fault_name, const std::string& scenario,
                                const std::string& kind) {
    return Row{.name = "device fault " + fault_name,
               .cause = "device",
               .scenario = scenario,
               .devices = argons,
               .setup = [fault_name](Rack& r) { fault(r, "argon-1", fault_name); },
               .exit_code = 1,
               .expected = {{"argon-1", {"device", kind}}, {"argon-2", {"pass", ""}}}};
  };
  const auto lab = [&](Row row) {
    row.cause = "lab";
    return row;
  };
  return {
      Row{.name = "healthy rack",
          .cause = "-",
          .scenario = "reboot_during_outage",
          .devices = argons,
          .setup = nullptr,
          .exit_code = 0,
          .expected = {{"argon-1", {"pass", ""}}, {"argon-2", {"pass", ""}}}},
      device_fault("orphan_after_outage", "orphan_check", "orphaned"),
      device_fault("stuck_after_outage_boot", "reboot_during_outage", "timeout"),
      device_fault("bad_keys", "connect_time_slo", "timeout"),
      device_fault("flaky_backoff", "connect_time_slo", "timeout"),
      device_fault("slow_sleep_recovery", "sleep_recovery", "timeout"),
      device_fault("failed_ota", "ota_update", "timeout"),
      Row{.name = "device fault orphan_after_outage on a boron, 30 min cellular outage",
          .cause = "device",
          .scenario = "orphan_check",
          .devices = {"boron-1"},
          .setup = [](Rack& r) { fault(r, "boron-1", "orphan_after_outage"); },
          .exit_code = 1,
          .expected = {{"boron-1", {"device", "orphaned"}}}},
      lab(Row{.name = "3 min cloud outage a boron cannot notice (orphan fault hidden)",
              .scenario = outage_scenario("3m"),
              .devices = {"boron-1"},
              .setup = [](Rack& r) { fault(r, "boron-1", "orphan_after_outage"); },
              .exit_code = 3,
              .expected = {{"boron-1", {"infrastructure", "outage_unproven"}}}}),
      lab(Row{.name = "outage never effective, 2 min (rule misses the devices)",
              .scenario = outage_scenario("2m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(r.segments[0].outages[0], "misses", "true"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "outage_unproven"}},
                           {"argon-2", {"infrastructure", "outage_unproven"}}}}),
      lab(Row{.name = "outage never effective, 10 min",
              .scenario = outage_scenario("10m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(r.segments[0].outages[0], "misses", "true"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "outage_not_effective"}},
                           {"argon-2", {"infrastructure", "outage_not_effective"}}}}),
      lab(Row{.name = "outage removed from outside 30 s in",
              .scenario = outage_scenario("2m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(r.segments[0].outages[0], "removed_after", "30s"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "outage_lost"}},
                           {"argon-2", {"infrastructure", "outage_lost"}}}}),
      lab(Row{.name = "cloud refuses the token (401) while a step waits for cloud online",
              .scenario = kCloudScenario,
              .devices = argons,
              .setup = [](Rack& r) { set_param(*r.cloud, "fault", "token_refused"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "cloud_token"}},
                           {"argon-2", {"infrastructure", "cloud_token"}}}}),
      lab(Row{
          .name = "cloud answers 503 while a step waits for cloud online",
          .scenario = kCloudScenario,
          .devices = argons,
          .setup = [](Rack& r) { set_param(*r.cloud, "fault", "server_error"); },
          .exit_code = 3,
          .expected = {{"argon-1", {"infrastructure", "cloud"}}, {"argon-2", {"infrastructure", "cloud"}}}}),
      lab(Row{
          .name = "cloud unreachable while a step waits for cloud online",
          .scenario = kCloudScenario,
          .devices = argons,
          .setup = [](Rack& r) { set_param(*r.cloud, "fault", "unreachable"); },
          .exit_code = 3,
          .expected = {{"argon-1", {"infrastructure", "cloud"}}, {"argon-2", {"infrastructure", "cloud"}}}}),
      lab(Row{.name = "serial port missing",
              .scenario = outage_scenario("2m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(*device_of(r, "argon-1").serial, "missing", "true"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "unhealthy"}}, {"argon-2", {"pass", ""}}}}),
      lab(Row{.name = "serial port not a tty",
              .scenario = outage_scenario("2m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(*device_of(r, "argon-1").serial, "not_a_tty", "true"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "serial"}}, {"argon-2", {"pass", ""}}}}),
      lab(Row{.name = "power relay fails",
              .scenario = outage_scenario("2m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(*device_of(r, "argon-1").power, "fails_after", "1"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "unhealthy"}}, {"argon-2", {"pass", ""}}}}),
      lab(Row{.name = "colour sensor gone 1 min in (unplugged during the outage)",
              .scenario = outage_scenario("2m"),
              .devices = argons,
              .setup = [](Rack& r) { set_param(*device_of(r, "argon-1").led, "gone_after", "1m"); },
              .exit_code = 3,
              .expected = {{"argon-1", {"infrastructure", "led_sensor"}}, {"argon-2", {"pass", ""}}}}),
      Row{.name = "device under maintenance",
          .cause = "-",
          .scenario = outage_scenario("2m"),
          .devices = argons,
          .setup = [](Rack& r) { device_of(r, "argon-1").maintenance = "relay board swap"; },
          .exit_code = 0,
          .expected = {{"argon-1", {"skipped", ""}}, {"argon-2", {"pass", ""}}}},
  };
}

class VerdictMatrix : public ::testing::TestWithParam<Row> {
 public:
  static std::vector<std::string>& table() {
    static std::vector<std::string> lines;
    return lines;
  }
  static void TearDownTestSuite() { write_verdict_table("verdict-matrix.md", table()); }
};

TEST_P(VerdictMatrix, NamesTheTrueCause) {
  const Row& row = GetParam();
  Rack rack = sim_rack(row.devices);
  if (row.setup) row.setup(rack);
  TempDir results("cyanrig-matrix");
  const Outcome outcome = run(scenario_of(row), rack, 1, nullptr, results.path());
  const RunResult& r = outcome.report.result;
  EXPECT_EQ(static_cast<int>(r.exit_code()), row.exit_code) << row.name << "\n" << outcome.failures();
  std::vector<std::string> devices;
  for (const auto& [device, want] : row.expected) devices.push_back(device);
  const DeviceVerdicts verdicts = device_verdicts(outcome.report, devices);
  for (const auto& [device, got] : verdicts) {
    const auto& [want_class, want_kind] = row.expected.at(device);
    EXPECT_EQ(got.cls, want_class) << row.name << ": " << device << "\n" << outcome.failures();
    if (!want_kind.empty()) {
      EXPECT_EQ(got.kind, want_kind) << row.name << ": " << device;
    }
    EXPECT_EQ(got.junit, junit_element_for(want_class)) << row.name << ": " << device;
  }
  // A case that failed for the lab never has its measurements blamed on the device.
  for (const CriterionResult& c : r.criteria) {
    const auto case_class = r.device_failure_class(c.scope);
    if (!c.passed && case_class == FailureClass::infrastructure) {
      EXPECT_EQ(c.failure_class, FailureClass::infrastructure)
          << row.name << ": " << c.scope << " " << c.measurement;
    }
  }
  VerdictMatrix::table().push_back(
      verdict_table_line(row.name, row.cause, static_cast<int>(r.exit_code()), verdicts));
}

INSTANTIATE_TEST_SUITE_P(SimRack, VerdictMatrix, ::testing::ValuesIn(rows()),
                         [](const ::testing::TestParamInfo<Row>& row_info) {
                           std::string name;
                           for (const char c : row_info.param.name)
                             name += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return std::to_string(row_info.index) + "_" + name.substr(0, 60);
                         });

// Failing for the lab is prompt: a refused token ends the wait for `cloud: online` at once, not after
// the step's five minutes.
TEST(VerdictTiming, ARefusedTokenEndsACloudWaitAtOnce) {
  Rack rack = sim_rack({"argon-1"});
  set_param(*rack.cloud, "fault", "token_refused");
  const Outcome outcome = run(scenario_from_text(kCloudScenario), rack);
  const CaseResult* c = outcome.failed_case("argon-1");
  ASSERT_NE(c, nullptr);
  ASSERT_FALSE(c->failures.empty());
  EXPECT_EQ(c->failures.front().kind, "cloud_token");
  EXPECT_LT(to_seconds(c->failures.front().t - c->started), 30.0);
}

// An outage removed from outside is noticed within the hold period, not when it was due to end.
TEST(VerdictTiming, AnOutageRemovedFromOutsideIsNoticedWithinASecond) {
  Rack rack = sim_rack({"argon-1"});
  set_param(rack.segments[0].outages[0], "removed_after", "30s");
  const Outcome outcome = run(scenario_from_text(outage_scenario("2m")), rack);
  Instant started{};
  Instant lost{};
  for (const Event& e : outcome.events) {
    if (e.kind == EventKind::outage && e.name == "start") started = e.t;
    if (e.kind == EventKind::outage && e.name == "lost") lost = e.t;
  }
  ASSERT_GT(lost, started);
  EXPECT_LE(to_seconds(lost - started), 31.0);
}

// A colour sensor that stops answering fails its device at once, as the lab's fault naming the
// device, the sensor and the cause, not when the step waiting on the LED runs out.
TEST(VerdictTiming, AColourSensorGoneFailsItsDeviceAtOnceNamingSensorAndCause) {
  Rack rack = sim_rack({"argon-1"});
  set_param(*device_of(rack, "argon-1").led, "gone_after", "1m");
  const Outcome outcome = run(scenario_from_text(outage_scenario("2m")), rack);
  const CaseResult* c = outcome.failed_case("argon-1");
  ASSERT_NE(c, nullptr) << "the run passed without its LED sensor";
  ASSERT_FALSE(c->failures.empty());
  const Failure& f = c->failures.front();
  EXPECT_EQ(f.cls, FailureClass::infrastructure);
  EXPECT_EQ(f.kind, "led_sensor");
  EXPECT_THAT(f.message,
              HasSubstr("argon-1: LED sensor simulated colour sensor on argon-1: no answer at 0x29 "
                        "(sensor unplugged?)"));
  EXPECT_EQ(outcome.report.result.exit_code(), ExitCode::infrastructure);
  // The sensor starts with the run, so it is gone a minute in: the device fails within a batch (200 ms).
  EXPECT_GE(to_seconds(f.t - run_start()), 60.0);
  EXPECT_LE(to_seconds(f.t - run_start()), 60.5);
}

// A repeat that never reached the measurement's end counts above the limit: max cannot pass.
TEST(CensoredSamples, ARepeatThatNeverReconnectedFailsMaxAndIsShownMissing) {
  Rack rack = sim_rack({"argon-1"});
  fault(rack, "argon-1", "stuck_after_outage_boot", 0.5);
  Scenario s = shipped_scenario("reboot_during_outage");
  s.repeat = 6;
  const Outcome outcome = run(s, rack, 3);
  std::size_t failed = 0;
  for (const CaseResult& c : outcome.report.result.cases) failed += c.passed() ? 0 : 1;
  ASSERT_GT(failed, 0U) << "the seed should make the fault fire in some repeats";
  ASSERT_LT(failed, 6U) << "and not in all";
  bool seen = false;
  for (const CriterionResult& c : outcome.report.result.criteria) {
    if (c.measurement != "reconnect_time" || c.statistic != "max") continue;
    seen = true;
    EXPECT_FALSE(c.passed);
    EXPECT_EQ(c.missing, failed);
    EXPECT_EQ(c.count, 6U);
    EXPECT_EQ(c.failure_class, FailureClass::device);
    EXPECT_THAT(actual_text(c), HasSubstr(fmt::format("({} of 6 missing)", failed)));
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace cyanrig::test
