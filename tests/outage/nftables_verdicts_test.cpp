// The verdict matrix through the real nftables backend, in namespaces made for the test
// (netns_lab.hpp): a whole scenario run on a rack whose segment's outages are real nft rules, and
// whose devices are simulated (on the steady clock, since the rack is no longer all-simulated).
// The outage's evidence is real: the rule counters of packets sent from the device namespace.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "drivers/all_backends.hpp"
#include "netns_lab.hpp"
#include "rig/engine/engine.hpp"
#include "rig/rack/rack_file.hpp"
#include "rig/scenario/scenario_file.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;

// A short outage in real time: boot, cut the cloud for 8 s, expect the device back.
const char* const kScenario = R"(scenario: nft_outage
devices: all
steps:
  - power: cycle
    off_for: 1s
  - mark: powered
  - expect: {led: breathing_cyan, within: 1m, from: powered}
  - outage: start
    mode: cloud
    action: drop
  - wait: 8s
  - outage: stop
  - mark: outage_end
  - expect: {led: breathing_cyan, within: 1m, from: outage_end}
)";

class NftablesVerdicts : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string problem;
    lab_ = NetnsLab::create(problem);
    if (!lab_) GTEST_SKIP() << problem;
  }
  void TearDown() override {
    stop_ = true;
    if (traffic_.joinable()) traffic_.join();
  }

  // The rack: argon-1 (simulated) at `ip` on a segment whose outage backend is nftables in the lab.
  Rack rack(const std::string& ip) const {
    const std::string text = fmt::format(R"(rack: nft-lab
safe_power: off
segments:
  - name: lab
    effect_within: 30s
    outage: {{backend: nftables, netns: {}}}
cloud: {{backend: sim}}
defaults: {{power: {{backend: sim}}, serial: {{backend: sim}}, led: {{backend: sim}}}}
devices:
  - {{name: argon-1, id: e00fce68a1b2c3d4e5f60718, platform: argon, segment: lab, ip: {}}}
)",
                                         lab_->rig(), ip);
    Diagnostics diags;
    auto r = parse_rack(text, "nft-lab.yaml", diags);
    if (r) validate_rack_backends(*r, all_backends(), diags);
    EXPECT_TRUE(diags.empty()) << diags.items().front().to_string();
    return *r;
  }

  // Cloud traffic from the device namespace, as a real argon would send it, every 300 ms.
  void send_cloud_traffic() {
    traffic_ = std::thread([this] {
      const Probe udp{Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 5684};
      while (!stop_) lab_->probe({udp}, 300ms);
    });
  }

  RunReport run(const Rack& r) {
    Diagnostics diags;
    const auto scenario = parse_scenario(kScenario, "nft_outage.yaml", diags);
    EXPECT_TRUE(scenario.has_value());
    RunOptions options;
    options.results_root.clear();
    options.handle_signals = false;
    options.observe = [this](Timeline& timeline, const Scenario&) {
      timeline.subscribe([this](const Event& e) {
        if (e.kind == EventKind::outage && e.name == "start") outage_started_ = true;
      });
    };
    return run_scenario(*scenario, r, all_backends(), options);
  }

  const Failure* first_failure(const RunReport& report) const {
    for (const CaseResult& c : report.result.cases) {
      if (!c.failures.empty()) return &c.failures.front();
    }
    return nullptr;
  }

  std::unique_ptr<NetnsLab> lab_;
  std::thread traffic_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> outage_started_{false};
};

// The device's packets hit the rule: the outage is proven, and the device, back after it, passes.
TEST_F(NftablesVerdicts, AnOutageProvenByItsCountersGivesAPass) {
  send_cloud_traffic();
  const RunReport report = run(rack(NetnsLab::kArgonIp));
  EXPECT_EQ(report.result.exit_code(), ExitCode::pass)
      << (first_failure(report) ? first_failure(report)->message : "");
}

// The rule matches an address no device uses: nothing shows the outage bit, so the pass that would
// follow is inconclusive.
TEST_F(NftablesVerdicts, AnOutageThatMissesTheDeviceIsInconclusiveNotAPass) {
  send_cloud_traffic();  // from 10.77.1.2, while the rack says the device is at .99
  const RunReport report = run(rack("10.77.1.99"));
  EXPECT_EQ(report.result.exit_code(), ExitCode::infrastructure);
  const Failure* f = first_failure(report);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, "outage_unproven");
  EXPECT_EQ(f->cls, FailureClass::infrastructure);
}

// Someone flushes the ruleset while the outage is in force: the run notices within the hold period
// and blames the lab, though the device then "recovers" from an outage it never had.
TEST_F(NftablesVerdicts, ARulesetFlushedFromOutsideIsTheLabsFault) {
  send_cloud_traffic();
  std::thread flusher([this] {
    while (!outage_started_ && !stop_) std::this_thread::sleep_for(50ms);
    std::this_thread::sleep_for(2s);
    lab_->in_rig("nft flush ruleset");
  });
  const RunReport report = run(rack(NetnsLab::kArgonIp));
  stop_ = true;
  flusher.join();
  EXPECT_EQ(report.result.exit_code(), ExitCode::infrastructure);
  const Failure* f = first_failure(report);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->kind, "outage_lost");
}

}  // namespace
}  // namespace cyanrig::outage_testing
