// How a run behaves: barriers, determinism, verdict classes, safety on every exit path.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <sstream>

#include "drivers/all_backends.hpp"
#include "rig/results/writers.hpp"
#include "run_support.hpp"

using namespace cyanrig;
using namespace cyanrig::test;
using ::testing::HasSubstr;

namespace {

// A cellular device notices a silent outage only at its next keepalive (~23 min): its outage is
// longer, or its verdict could only be inconclusive.
const char* const kOutageScenario = R"(scenario: barrier
devices: all
repeat: 2
limits: {outage: 30s}
overrides:
  cellular: {outage: 25m}
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 5m, from: powered}
  - outage: start
    mode: cloud
  - wait: outage
  - outage: stop
)";

std::string jsonl(const std::vector<Event>& events) {
  std::ostringstream out;
  for (const Event& e : events) write_event_jsonl(e, out);
  return out.str();
}

// A power backend for tests: fails every request, or never answers.
class BrokenPower final : public PowerSwitch {
 public:
  explicit BrokenPower(bool answers) : answers_(answers) {}
  void set(PowerState, Done done) override {
    if (answers_) done(fault("relay board not answering on I2C bus 1"));
  }
  std::string describe() const override { return "test relay"; }

 private:
  bool answers_;
};

BackendRegistry registry_with_broken_power() {
  BackendRegistry registry = all_backends();
  // Fakes driven by the virtual clock, like the sim backends.
  registry.add<PowerSwitch>("broken",
                            {.virtual_time = true, .create = [](const BackendSite&, BackendContext&) {
                               return std::make_unique<BrokenPower>(true);
                             }});
  registry.add<PowerSwitch>("silent",
                            {.virtual_time = true, .create = [](const BackendSite&, BackendContext&) {
                               return std::make_unique<BrokenPower>(false);
                             }});
  return registry;
}

}  // namespace

TEST(Engine, SharedStepsRunOncePerSegmentAfterEveryDeviceArrives) {
  const Outcome out = run(scenario_from_text(kOutageScenario), sim_rack());
  ASSERT_EQ(out.report.result.exit_code(), ExitCode::pass) << out.failures();
  // Two segments in the built-in rack, two repeats: four starts and four stops, never per device.
  EXPECT_EQ(out.count(EventKind::outage, "start"), 4U);
  EXPECT_EQ(out.count(EventKind::outage, "stop"), 4U);
  // Each outage starts only after the slowest device saw breathing cyan (its step ended).
  Instant last_connected{};
  int repeat = 0;
  for (const Event& e : out.events) {
    if (e.kind == EventKind::run && e.name == "repeat_start") {
      last_connected = Instant{};
      ++repeat;
    }
    if (e.kind == EventKind::step && e.name == "end" && !e.device.empty() && e.data["index"] == 2) {
      last_connected = std::max(last_connected, e.t);
    }
    if (e.kind == EventKind::outage && e.name == "start") {
      EXPECT_GE(e.t, last_connected) << "repeat " << repeat;
    }
  }
}

TEST(Engine, SameSeedGivesTheSameTimelineEventForEvent) {
  const Scenario s = shipped_scenario("reboot_during_outage");
  const Rack rack = sim_rack({"photon-1", "argon-1", "boron-1"});
  const std::string a = jsonl(run(s, rack, 7).events);
  const std::string b = jsonl(run(s, rack, 7).events);
  const std::string c = jsonl(run(s, rack, 8).events);
  EXPECT_GT(a.size(), 10000U);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(Engine, SafePowerIsDrivenAtStartAndEnd) {
  const Outcome out = run(scenario_from_text(kOutageScenario), sim_rack({"argon-1"}));
  std::vector<std::string> edges;
  for (const Event& e : out.events) {
    if (e.kind == EventKind::power) edges.push_back(e.name);
  }
  ASSERT_GE(edges.size(), 3U);
  EXPECT_EQ(edges.front(), "off");
  EXPECT_EQ(edges.back(), "off");
}

TEST(Engine, LedStatesAreBackDatedToWhenThePatternBegan) {
  const Outcome out = run(scenario_from_text(kOutageScenario), sim_rack({"argon-1"}));
  std::size_t led_events = 0;
  for (const Event& e : out.events) {
    if (e.kind != EventKind::led) continue;
    ++led_events;
    EXPECT_LE(e.began(), e.t) << e.name;
  }
  EXPECT_GT(led_events, 5U);
}

TEST(Engine, APowerFaultIsAnInfrastructureErrorNamingTheDevice) {
  Rack rack = sim_rack({"argon-1", "argon-2"});
  // A device on another relay: no simulated device behind it, so no sim serial port, LED or cloud
  // listing either (the rack's cloud would not know it).
  rack.devices[0].power->backend = "broken";
  rack.devices[0].serial.reset();
  rack.devices[0].led.reset();
  rack.cloud.reset();
  const BackendRegistry registry = registry_with_broken_power();
  // No health check: the fault must come from the scenario's own power step.
  const Outcome out = run(scenario_from_text(kOutageScenario), rack, 1, &registry, {}, false);
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::infrastructure);
  ASSERT_NE(out.failed_case("argon-1"), nullptr);
  const Failure& f = out.failed_case("argon-1")->failures.front();
  EXPECT_EQ(f.cls, FailureClass::infrastructure);
  EXPECT_EQ(f.message, "argon-1: relay board not answering on I2C bus 1");
  EXPECT_EQ(out.failed_case("argon-2"), nullptr);
  EXPECT_EQ(r.devices[1].failure_class, std::nullopt);
}

TEST(Engine, ABackendThatNeverAnswersTimesOutAsInfrastructure) {
  Rack rack = sim_rack({"argon-1"});
  rack.devices[0].power->backend = "silent";
  rack.devices[0].serial.reset();
  rack.devices[0].led.reset();
  rack.cloud.reset();
  const BackendRegistry registry = registry_with_broken_power();
  const Outcome out = run(scenario_from_text(kOutageScenario), rack, 1, &registry, {}, false);
  ASSERT_NE(out.failed_case("argon-1"), nullptr);
  EXPECT_THAT(out.failed_case("argon-1")->failures.front().message,
              HasSubstr("argon-1: test relay did not answer within 30s"));
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::infrastructure);
}

TEST(Engine, AnUnknownCloudFunctionIsAScenarioError) {
  const Outcome out = run(scenario_from_text(R"(scenario: t
devices: {name: argon-1}
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 5m, from: powered}
  - expect: {call: no_such_function, within: 1m, from: step_start}
)"),
                          sim_rack());
  ASSERT_NE(out.failed_case("argon-1"), nullptr);
  const Failure& f = out.failed_case("argon-1")->failures.front();
  EXPECT_EQ(f.cls, FailureClass::scenario);
  EXPECT_THAT(f.message, HasSubstr("HTTP 404"));
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::invalid);
}

TEST(Engine, AStateAlreadyHeldAtTheMarkMeasuresZero) {
  const Outcome out = run(scenario_from_text(R"(scenario: t
devices: {name: argon-1}
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 5m, from: powered}
  - wait: 20s
  - mark: later
  - expect: {led: breathing_cyan, within: 1s, from: later}
measure:
  - {name: connect, from: powered, to: {led: breathing_cyan}, unit: s, pass: {max: 2m}}
  - {name: already, from: later, to: {led: breathing_cyan}, unit: ms}
)"),
                          sim_rack());
  const RunResult& r = out.report.result;
  ASSERT_EQ(r.exit_code(), ExitCode::pass);
  ASSERT_EQ(r.samples.size(), 2U);
  ASSERT_TRUE(r.samples[0].value);
  EXPECT_GT(*r.samples[0].value, 2.0);
  EXPECT_LT(*r.samples[0].value, 120.0);
  EXPECT_EQ(r.samples[1].value, 0.0);
}

TEST(Engine, AFailedDeviceStopsItsRepeatButNotTheOthersAndDoesNotHoldTheBarrier) {
  const Outcome out = run(scenario_from_text(R"(scenario: t
devices: {name: [argon-1, argon-2]}
repeat: 2
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 5m, from: powered}
  - expect: {serial: "only argon-2 says this", within: 10s, from: step_start}
  - outage: start
    mode: cloud
  - outage: stop
)"),
                          sim_rack({"argon-1", "argon-2"}));
  const RunResult& r = out.report.result;
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure);
  // Both fail (nobody prints that line), so the outage never runs.
  EXPECT_EQ(out.count(EventKind::outage, "start"), 0U);
  ASSERT_EQ(r.cases.size(), 4U);
  for (const auto& c : r.cases) {
    ASSERT_EQ(c.failures.size(), 1U);
    EXPECT_THAT(c.failures[0].message, HasSubstr("expected serial line /only argon-2 says this/ within 10s"));
  }
}

TEST(Engine, PowerOnWaitsForTheMinimumOffTimeAndIsSpacedAcrossTheRack) {
  Rack rack = sim_rack({"argon-1", "argon-2", "p2-1"});
  rack.min_off = std::chrono::seconds(2);
  rack.power_on_spacing = std::chrono::milliseconds(500);
  rack.devices[2].min_off = std::chrono::seconds(4);
  const Outcome out = run(scenario_from_text(R"(scenario: t
devices: all
steps:
  - power: on
  - wait: 30s
  - power: cycle
    off_for: 200ms
)"),
                          rack, 1, nullptr, {}, false);  // no health check: its power cycle would add an "on"
  ASSERT_EQ(out.report.result.exit_code(), ExitCode::pass);
  std::map<std::string, std::vector<Instant>> on;
  std::map<std::string, std::vector<Instant>> off;
  for (const Event& e : out.events) {
    if (e.kind == EventKind::power && e.name == "on") on[e.device].push_back(e.t);
    if (e.kind == EventKind::power && e.name == "off") off[e.device].push_back(e.t);
  }
  // Each "on" comes at least min_off after the "off" before it (the safe-state off at start, then
  // the cycle's off), even though the cycle asked for 200 ms.
  for (const auto& [device, ons] : on) {
    ASSERT_EQ(ons.size(), 2U) << device;
    const Duration min_off =
        device == "p2-1" ? Duration(std::chrono::seconds(4)) : Duration(std::chrono::seconds(2));
    EXPECT_GE(ons[0] - off[device][0], min_off) << device;
    EXPECT_GE(ons[1] - off[device][1], min_off) << device;
  }
  // Devices switched on together go on at least 500 ms apart.
  std::vector<Instant> first_ons = {on["argon-1"][0], on["argon-2"][0], on["p2-1"][0]};
  std::sort(first_ons.begin(), first_ons.end());
  EXPECT_GE(first_ons[1] - first_ons[0], Duration(std::chrono::milliseconds(500)));
  EXPECT_GE(first_ons[2] - first_ons[1], Duration(std::chrono::milliseconds(500)));
  EXPECT_GE(out.count(EventKind::note, "power_on_delayed", "argon-1"), 1U);
}
