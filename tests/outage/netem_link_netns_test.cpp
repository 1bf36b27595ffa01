// The netem and link backends against the real tc and ip, in the test's namespaces.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "netns_lab.hpp"
#include "outage_rigs.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

constexpr Duration kSilence = 1s;
constexpr Duration kEffectLimit = 5s;

const Probe kArgonWeb{Protocol::tcp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 8080};

class OutageNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string problem;
    lab_ = NetnsLab::create(problem);
    if (!lab_) GTEST_SKIP() << problem;
  }

  std::unique_ptr<OutageRig> rig(const std::string& backend) {
    return std::make_unique<OutageRig>(fmt::format("{{backend: {}, interface: {}, netns: {}}}", backend,
                                                   NetnsLab::kRigDeviceSide, lab_->rig()),
                                       std::vector<LabDevice>{{"argon-1", NetnsLab::kArgonIp, ""}});
  }

  // Link state changes settle in milliseconds, but neighbour entries may need a retry.
  bool answered_within(const Probe& probe, Duration limit) {
    const auto until = std::chrono::steady_clock::now() + limit;
    do {
      if (lab_->probe({probe}, 200ms)[0] == Reply::answered) return true;
    } while (std::chrono::steady_clock::now() < until);
    return false;
  }

  std::unique_ptr<NetnsLab> lab_;
};

// netem is a kernel module (sch_netem) that some kernels do not ship.
std::string netem_missing(const NetnsLab& lab) {
  std::string output;
  if (lab.in_rig(fmt::format("tc qdisc add dev {} root netem delay 1ms", NetnsLab::kRigDeviceSide),
                 &output) == 0) {
    lab.in_rig(fmt::format("tc qdisc del dev {} root", NetnsLab::kRigDeviceSide));
    return "";
  }
  return output;
}

TEST_F(OutageNetns, NetemImpairsTheInterfaceAndLiftingRemovesOnlyItsQdisc) {
  if (const std::string why = netem_missing(*lab_); !why.empty()) {
    GTEST_SKIP() << "this kernel has no sch_netem (tc: " << why << ")";
  }
  auto outage = rig("netem");
  ASSERT_EQ(outage->start({.mode = OutageMode::impair, .impair = {.loss_percent = 0, .delay = 300ms}}), "");
  const auto effect = outage->wait_for_effect("", kEffectLimit);
  ASSERT_TRUE(effect);
  EXPECT_THAT(effect->evidence, HasSubstr("netem on rdev"));
  EXPECT_TRUE(outage->inspect().in_force);
  const auto before = std::chrono::steady_clock::now();
  EXPECT_EQ(lab_->probe({kArgonWeb}, 3s)[0], Reply::answered);
  EXPECT_GE(std::chrono::steady_clock::now() - before, 300ms) << "the delay was not applied";
  ASSERT_EQ(outage->stop(), "");
  EXPECT_FALSE(outage->inspect().in_force);
  EXPECT_EQ(outage->stop(), "") << "a second stop finds nothing to remove";
}

TEST_F(OutageNetns, NetemLeftByAKilledRunIsSwept) {
  if (const std::string why = netem_missing(*lab_); !why.empty()) {
    GTEST_SKIP() << "this kernel has no sch_netem (tc: " << why << ")";
  }
  {
    auto killed = rig("netem");
    ASSERT_EQ(killed->start({.mode = OutageMode::impair, .impair = {.loss_percent = 50}}), "");
  }
  auto next = rig("netem");
  EXPECT_EQ(next->sweep(), "removed the netem qdisc on rdev left by an earlier run");
  EXPECT_EQ(next->sweep(), "");
}

TEST_F(OutageNetns, NetemFailuresQuoteTc) {
  auto outage = rig("netem");
  if (!netem_missing(*lab_).empty()) {
    EXPECT_THAT(
        outage->start({.mode = OutageMode::impair, .impair = {.loss_percent = 5}}),
        HasSubstr("tc could not put netem on rdev: exited 2: Error: Specified qdisc kind is unknown."));
  }
  EXPECT_EQ(outage->start({.mode = OutageMode::cloud}),
            "the netem backend performs impair outages, not cloud");
  EXPECT_EQ(outage->stop(), "") << "nothing of ours to remove is not an error";
}

TEST_F(OutageNetns, LinkDownCutsTheSegmentAndUpRestoresIt) {
  auto outage = rig("link");
  ASSERT_TRUE(answered_within(kArgonWeb, 2s));
  ASSERT_EQ(outage->start({.mode = OutageMode::link}), "");
  const auto effect = outage->wait_for_effect("", kEffectLimit);
  ASSERT_TRUE(effect);
  EXPECT_EQ(effect->evidence, "rdev is down");
  EXPECT_NE(lab_->probe({kArgonWeb}, kSilence)[0], Reply::answered);
  const OutageStatus status = outage->inspect();
  EXPECT_TRUE(status.in_force);
  EXPECT_EQ(status.what, "rdev is down");
  ASSERT_EQ(outage->stop(), "");
  EXPECT_FALSE(outage->inspect().in_force);
  EXPECT_TRUE(answered_within(kArgonWeb, 5s)) << "traffic did not come back with the link";
  EXPECT_EQ(outage->stop(), "") << "bringing up a link that is up changes nothing";
}

TEST_F(OutageNetns, LinkOnAMissingInterfaceSaysSo) {
  OutageRig outage(fmt::format("{{backend: link, interface: wlan9, netns: {}}}", lab_->rig()),
                   {{"argon-1", NetnsLab::kArgonIp, ""}});
  EXPECT_THAT(outage.start({.mode = OutageMode::link}),
              HasSubstr("ip could not take down wlan9: exited 1: Cannot find device \"wlan9\""));
  EXPECT_FALSE(outage.outage().active());
}

}  // namespace
}  // namespace cyanrig::outage_testing
