// Outages the run can trust: each mode goes to the segment backend that performs it, an outage
// counts only once it is seen to bite, one that never bites is the lab's failure (not the
// devices'), and what a killed run left behind is swept before the next one starts.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <optional>

#include "drivers/all_backends.hpp"
#include "rig/clock.hpp"
#include "run_support.hpp"

using namespace cyanrig;
using namespace cyanrig::test;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

namespace {

// What the fake backends were asked to do, in order.
struct OutageCalls {
  std::vector<std::string> calls;
};

// An outage backend for tests, on the virtual clock like the sim backends. It touches nothing in
// the simulated world, so devices never notice it: evidence comes only from `evidence`.
class FakeOutage final : public OutageSwitch {
 public:
  FakeOutage(Clock& clock, std::string name, OutageCalls& calls, std::optional<OutageEffect> evidence,
             std::optional<std::string> leftover)
      : clock_(clock),
        name_(std::move(name)),
        calls_(calls),
        evidence_(std::move(evidence)),
        leftover_(std::move(leftover)) {}

  void start(const OutageSpec& spec, Done done) override {
    calls_.calls.push_back(name_ + " start " + cyanrig::describe(spec));
    active_ = true;
    clock_.post([this, done = std::move(done)] {
      done(Status{});
      if (evidence_ && effects_) effects_(*evidence_);
    });
  }
  void stop(Done done) override {
    calls_.calls.push_back(name_ + " stop");
    active_ = false;
    clock_.post([done = std::move(done)] { done(Status{}); });
  }
  bool active() const override { return active_; }
  std::string describe() const override { return "test outage " + name_; }
  void watch(Effects on_effect) override { effects_ = std::move(on_effect); }
  void sweep(Swept done) override {
    calls_.calls.push_back(name_ + " sweep");
    done(Status{}, leftover_);
  }

 private:
  Clock& clock_;
  std::string name_;
  OutageCalls& calls_;
  std::optional<OutageEffect> evidence_;
  std::optional<std::string> leftover_;
  Effects effects_;
  bool active_ = false;
};

struct FakeOutageOptions {
  std::vector<OutageMode> modes{std::begin(kOutageModes), std::end(kOutageModes)};
  std::optional<OutageEffect> evidence;
  std::optional<std::string> leftover;
};

void add_fake(BackendRegistry& registry, const std::string& name, OutageCalls& calls,
              FakeOutageOptions options) {
  registry.add<OutageSwitch>(
      name, {.virtual_time = true,
             .create = [name, &calls, options](const BackendSite&,
                                               BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
               return std::make_unique<FakeOutage>(ctx.clock(), name, calls, options.evidence,
                                                   options.leftover);
             },
             .modes = [options](const BackendSite&) { return options.modes; }});
}

// argon-1 alone, its segment cut by `backends` instead of the simulated network.
Rack rack_with_outage_backends(const std::vector<std::string>& backends) {
  Rack rack = sim_rack({"argon-1"});
  for (Segment& seg : rack.segments) {
    if (seg.name != rack.devices[0].segment) continue;
    seg.outages.clear();
    for (const std::string& b : backends) {
      seg.outages.push_back(BackendSpec{b, YAML::Load("{backend: " + b + "}"), {}});
    }
  }
  return rack;
}

Scenario outage_for(const std::string& wait, const std::string& mode = "mode: cloud") {
  return scenario_from_text(R"(scenario: outage_effect
devices: {name: argon-1}
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 5m, from: powered}
  - outage: start
    )" + mode + R"(
  - wait: )" + wait + R"(
  - outage: stop
)");
}

std::vector<const Event*> outage_events(const Outcome& out, const std::string& name) {
  std::vector<const Event*> found;
  for (const Event& e : out.events) {
    if (e.kind == EventKind::outage && e.name == name) found.push_back(&e);
  }
  return found;
}

}  // namespace

TEST(OutageEffect, ADeviceReportingTheLossMakesTheOutageEffective) {
  // The simulated network really cuts the cloud: the rebooted device fails to connect and says so.
  // The switch cannot see traffic (like a command or gpio backend): the device's report is the proof.
  Rack rack = sim_rack({"argon-1"});
  set_param(rack.segments[0].outages[0], "sees_traffic", "false");
  const Outcome out = run(shipped_scenario("reboot_during_outage"), rack);
  ASSERT_EQ(out.report.result.exit_code(), ExitCode::pass);
  // Once per outage (the scenario repeats), between its start and its stop.
  const auto effective = outage_events(out, "effective");
  const auto start = outage_events(out, "start");
  const auto stop = outage_events(out, "stop");
  ASSERT_EQ(start.size(), 2U);
  ASSERT_EQ(stop.size(), 2U);
  ASSERT_EQ(effective.size(), 2U);
  for (std::size_t i = 0; i < effective.size(); ++i) {
    EXPECT_EQ(effective[i]->device, "argon-1");
    EXPECT_THAT(effective[i]->data["evidence"].get<std::string>(), HasSubstr("the device reported"));
    EXPECT_GT(effective[i]->t, start[i]->t);
    EXPECT_LT(effective[i]->t, stop[i]->t);
  }
  EXPECT_TRUE(outage_events(out, "not_effective").empty());
}

// A device the scenario reboots during an outage is listed offline by the cloud, which drops the
// session the device left when it comes back with a new one. The power cut explains that, so it
// proves nothing about an outage whose rule misses the devices: the run is inconclusive, never a pass.
TEST(OutageEffect, TheCloudListingARebootedDeviceOfflineDoesNotProveTheOutage) {
  Rack rack = sim_rack({"argon-1"});
  set_param(rack.segments[0].outages[0], "misses", "true");
  const Outcome out = run(shipped_scenario("reboot_during_outage"), rack);
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::infrastructure) << out.failures();
  const CaseResult* failed = out.failed_case("argon-1");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->failures.front().kind, "outage_unproven");
  EXPECT_TRUE(outage_events(out, "effective").empty());
  // The cloud did list it offline during the outage: that is what must not count.
  const auto start = outage_events(out, "start");
  ASSERT_FALSE(start.empty());
  EXPECT_TRUE(std::any_of(out.events.begin(), out.events.end(), [&](const Event& e) {
    return e.kind == EventKind::cloud && e.name == "spark/status" &&
           e.data.value("status", "") == "offline" && e.t > start[0]->t;
  }));
}

TEST(OutageEffect, AnOutageThatNeverBitesIsAnInfrastructureErrorNotADeviceFailure) {
  BackendRegistry registry = all_backends();
  OutageCalls calls;
  add_fake(registry, "inert", calls, {});
  const Outcome out = run(outage_for("10m"), rack_with_outage_backends({"inert"}), 1, &registry);
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::infrastructure);
  const CaseResult* failed = out.failed_case("argon-1");
  ASSERT_NE(failed, nullptr);
  const Failure& f = failed->failures.front();
  EXPECT_EQ(f.cls, FailureClass::infrastructure);
  EXPECT_EQ(f.kind, "outage_not_effective");
  EXPECT_THAT(f.message,
              HasSubstr("segment lab-wifi: the cloud (drop) outage showed no effect on argon-1 within 5m"));
  // The deadline is the segment's effect_within (default 5 minutes) after the start...
  const auto start = outage_events(out, "start");
  const auto missed = outage_events(out, "not_effective");
  ASSERT_EQ(start.size(), 1U);
  ASSERT_EQ(missed.size(), 1U);
  EXPECT_EQ(missed[0]->t - start[0]->t, std::chrono::minutes(5));
  // ...and the outage is still lifted.
  EXPECT_THAT(calls.calls, ElementsAre("inert sweep", "inert start cloud (drop)", "inert stop"));
}

TEST(OutageEffect, TheDeadlineIsTheSegmentsEffectWithin) {
  BackendRegistry registry = all_backends();
  OutageCalls calls;
  add_fake(registry, "inert", calls, {});
  Rack rack = rack_with_outage_backends({"inert"});
  for (Segment& seg : rack.segments) seg.effect_within = std::chrono::minutes(30);
  const Outcome out = run(outage_for("10m"), rack, 1, &registry);
  // Nothing bit within 10 minutes, but the segment allows 30 (an idle cellular device is silent for
  // ~23 min): no "not effective" at 10 minutes. Yet the outage ended without proof that it reached
  // the device, so nothing the device did after it can be trusted: inconclusive, the lab's class.
  EXPECT_TRUE(outage_events(out, "not_effective").empty());
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::infrastructure);
  const CaseResult* failed = out.failed_case("argon-1");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->failures.front().kind, "outage_unproven");
}

TEST(OutageEffect, BackendEvidenceConfirmsTheOutageAndIsRecorded) {
  BackendRegistry registry = all_backends();
  OutageCalls calls;
  add_fake(registry, "counting", calls,
           {.evidence = OutageEffect{"argon-1", "7 packets to udp/5684 dropped"}});
  const Outcome out = run(outage_for("10m"), rack_with_outage_backends({"counting"}), 1, &registry);
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::pass);
  const auto effective = outage_events(out, "effective");
  ASSERT_EQ(effective.size(), 1U);
  EXPECT_EQ(effective[0]->device, "argon-1");
  EXPECT_EQ(effective[0]->data["evidence"], "7 packets to udp/5684 dropped");
  EXPECT_TRUE(outage_events(out, "unconfirmed").empty());
}

TEST(OutageEffect, EachModeGoesToTheSegmentBackendThatPerformsIt) {
  BackendRegistry registry = all_backends();
  OutageCalls calls;
  const OutageEffect bites{"", "link down"};
  add_fake(registry, "filter", calls,
           {.modes = {OutageMode::cloud, OutageMode::internet}, .evidence = bites});
  add_fake(registry, "netem", calls, {.modes = {OutageMode::impair}, .evidence = bites});
  const Scenario s = scenario_from_text(R"(scenario: two_backends
devices: {name: argon-1}
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 5m, from: powered}
  - outage: start
    mode: impair
    loss: 30%
    delay: 200ms
    jitter: 50ms
  - wait: 1m
  - outage: start
    mode: internet
    action: reject
  - wait: 1m
  - outage: stop
)");
  const Outcome out = run(s, rack_with_outage_backends({"filter", "netem"}), 1, &registry);
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::pass);
  // The impairment is lifted before the internet outage replaces it.
  EXPECT_THAT(calls.calls,
              ElementsAre("filter sweep", "netem sweep", "netem start impair (loss 30%, delay 200ms ± 50ms)",
                          "netem stop", "filter start internet (reject)", "filter stop"));
}

TEST(OutageEffect, WhatAKilledRunLeftIsSweptBeforeTheRunStarts) {
  BackendRegistry registry = all_backends();
  OutageCalls calls;
  add_fake(registry, "leftover", calls,
           {.evidence = OutageEffect{"", "x"},
            .leftover = "removed table inet cyanrig left by an earlier run (4 rules)"});
  const Outcome out = run(outage_for("1m"), rack_with_outage_backends({"leftover"}), 1, &registry);
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::pass);
  const auto removed = outage_events(out, "leftover_removed");
  ASSERT_EQ(removed.size(), 1U);
  EXPECT_EQ(removed[0]->data["message"], "removed table inet cyanrig left by an earlier run (4 rules)");
  // Before any relay moved.
  for (const Event& e : out.events) {
    if (e.kind == EventKind::power) {
      EXPECT_LT(removed[0]->seq, e.seq);
      break;
    }
  }
}
