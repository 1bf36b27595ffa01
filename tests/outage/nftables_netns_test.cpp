// The nftables backend against the real nft, in namespaces made for the test (netns_lab.hpp): each
// mode and action stops exactly the traffic it should and nothing else, counters rise and the
// device is reported, lifting restores the traffic, and a table left by a killed run is swept.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>

#include "netns_lab.hpp"
#include "outage_rigs.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;
using ::testing::Contains;
using ::testing::HasSubstr;

// Local veths answer in microseconds; a packet not answered in this long was stopped.
constexpr Duration kSilence = 1s;
constexpr Duration kEffectLimit = 5s;  // the counters are read every 500 ms

const Probe kArgonCloudUdp{Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 5684};
const Probe kArgonCloudTcp{Protocol::tcp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 5683};
const Probe kArgonWeb{Protocol::tcp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 8080};
const Probe kArgonDnsUdp{Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 53};
const Probe kArgonDnsTcp{Protocol::tcp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 53};
const Probe kArgonPiDns{Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kRigIp, 53};
const Probe kBystanderCloud{Protocol::udp, NetnsLab::kBystanderIp, NetnsLab::kCloudIp, 5684};
const Probe kBystanderPiDns{Protocol::udp, NetnsLab::kBystanderIp, NetnsLab::kRigIp, 53};

const std::vector<Probe> kEveryProbe{kArgonCloudUdp, kArgonCloudTcp, kArgonWeb,       kArgonDnsUdp,
                                     kArgonDnsTcp,   kArgonPiDns,    kBystanderCloud, kBystanderPiDns};

std::string describe_probe(const Probe& p) {
  return fmt::format("{} {} -> {}:{}", p.protocol == Protocol::udp ? "udp" : "tcp", p.from, p.to, p.port);
}

class NftablesOutageNetns : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string problem;
    lab_ = NetnsLab::create(problem);
    if (!lab_) GTEST_SKIP() << problem;
  }

  std::string backend_yaml(const std::string& extra = "") const {
    return fmt::format("{{backend: nftables, netns: {}{}}}", lab_->rig(), extra);
  }

  // argon-1 on `lab`, the bystander (same wire, next address) on `other`.
  std::unique_ptr<OutageRig> rig(const std::string& extra = "",
                                 LabDevice argon = {"argon-1", NetnsLab::kArgonIp, ""}) {
    return std::make_unique<OutageRig>(
        backend_yaml(extra),
        std::vector<LabDevice>{argon, {"bystander", NetnsLab::kBystanderIp, "", "other"}});
  }

  // Fails the test for every probe whose reply is not `expected` for it.
  void expect_replies(const std::vector<Probe>& probes, const std::function<Reply(const Probe&)>& expected,
                      const std::string& when) {
    const std::vector<Reply> got = lab_->probe(probes, kSilence);
    for (std::size_t i = 0; i < probes.size(); ++i) {
      EXPECT_EQ(to_string(got[i]), to_string(expected(probes[i])))
          << when << ": " << describe_probe(probes[i]);
    }
  }

  void expect_all_answered(const std::string& when) {
    expect_replies(
        kEveryProbe, [](const Probe&) { return Reply::answered; }, when);
  }

  std::unique_ptr<NetnsLab> lab_;
};

struct ModeCase {
  OutageMode mode;
  OutageAction action;
  std::vector<Probe> stopped;  // everything else must still be answered
};

// Test names in ctest read "cloud (drop)" rather than the case's bytes.
void PrintTo(const ModeCase& c, std::ostream* out) {
  *out << describe(OutageSpec{.mode = c.mode, .action = c.action});
}

class NftablesOutageModes : public NftablesOutageNetns, public ::testing::WithParamInterface<ModeCase> {};

TEST_P(NftablesOutageModes, StopsExactlyItsTrafficCountsItAndLiftingRestoresIt) {
  const ModeCase& c = GetParam();
  auto outage = rig();
  expect_all_answered("before the outage");

  ASSERT_EQ(outage->start({.mode = c.mode, .action = c.action}), "");
  EXPECT_TRUE(outage->outage().active());
  const Reply stopped_reply = c.action == OutageAction::drop ? Reply::silent : Reply::refused;
  expect_replies(
      kEveryProbe,
      [&](const Probe& p) {
        const bool stopped = std::any_of(c.stopped.begin(), c.stopped.end(), [&](const Probe& s) {
          return s.protocol == p.protocol && s.from == p.from && s.to == p.to && s.port == p.port;
        });
        return stopped ? stopped_reply : Reply::answered;
      },
      "during the outage");

  const auto effect = outage->wait_for_effect("argon-1", kEffectLimit);
  ASSERT_TRUE(effect) << "no effect reported for argon-1";
  EXPECT_THAT(effect->evidence, HasSubstr(c.action == OutageAction::drop ? "dropped" : "rejected"));
  const OutageStatus status = outage->inspect();
  EXPECT_TRUE(status.in_force);
  EXPECT_THAT(status.what,
              HasSubstr(fmt::format("{} outage ({}) on lab", to_string(c.mode), to_string(c.action))));
  EXPECT_THAT(status.details, Contains(HasSubstr("argon-1")));
  EXPECT_FALSE(outage->inspect("other").in_force);

  ASSERT_EQ(outage->stop(), "");
  EXPECT_FALSE(outage->outage().active());
  EXPECT_FALSE(lab_->table_exists()) << "the table outlived the last outage";
  expect_all_answered("after the outage");
}

INSTANTIATE_TEST_SUITE_P(
    EveryModeAndAction, NftablesOutageModes,
    ::testing::Values(
        ModeCase{OutageMode::cloud, OutageAction::drop, {kArgonCloudUdp, kArgonCloudTcp}},
        ModeCase{OutageMode::cloud, OutageAction::reject, {kArgonCloudUdp, kArgonCloudTcp}},
        ModeCase{OutageMode::internet,
                 OutageAction::drop,
                 {kArgonCloudUdp, kArgonCloudTcp, kArgonWeb, kArgonDnsUdp, kArgonDnsTcp, kArgonPiDns}},
        ModeCase{OutageMode::internet,
                 OutageAction::reject,
                 {kArgonCloudUdp, kArgonCloudTcp, kArgonWeb, kArgonDnsUdp, kArgonDnsTcp, kArgonPiDns}},
        ModeCase{OutageMode::dns, OutageAction::drop, {kArgonDnsUdp, kArgonDnsTcp, kArgonPiDns}},
        ModeCase{OutageMode::dns, OutageAction::reject, {kArgonDnsUdp, kArgonDnsTcp, kArgonPiDns}}),
    [](const auto& param_info) {
      return fmt::format("{}_{}", to_string(param_info.param.mode), to_string(param_info.param.action));
    });

TEST_F(NftablesOutageNetns, ADeviceKnownByMacIsMatchedByItsLeasedAddress) {
  TempDir dir;
  const auto leases = dir.path() / "dnsmasq.leases";
  std::ofstream(leases) << fmt::format("0 {} {} argon-1 *\n", lab_->device_mac(), NetnsLab::kArgonIp);
  auto outage = rig(fmt::format(", leases: {}", leases.string()), {"argon-1", "", lab_->device_mac()});
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud}), "");
  // The bystander shares the MAC but not the leased address: it still reaches the cloud.
  EXPECT_EQ(lab_->probe({kArgonCloudUdp, kBystanderCloud}, kSilence),
            (std::vector<Reply>{Reply::silent, Reply::answered}));
  EXPECT_EQ(outage->stop(), "");
}

TEST_F(NftablesOutageNetns, ADeviceKnownOnlyByMacIsMatchedByItsMac) {
  auto outage = rig("", {"argon-1", "", lab_->device_mac()});
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud, .action = OutageAction::reject}), "");
  // Both addresses are the same network card.
  EXPECT_EQ(lab_->probe({kArgonCloudUdp, kBystanderCloud, kArgonWeb}, kSilence),
            (std::vector<Reply>{Reply::refused, Reply::refused, Reply::answered}));
  EXPECT_EQ(outage->stop(), "");
}

TEST_F(NftablesOutageNetns, DevicesWithoutAddressesAreCutAsTheWholeInterface) {
  auto outage = rig(fmt::format(", interface: {}", NetnsLab::kRigDeviceSide), {"argon-1", "", ""});
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud}), "");
  EXPECT_EQ(lab_->probe({kArgonCloudUdp, kBystanderCloud, kArgonWeb}, kSilence),
            (std::vector<Reply>{Reply::silent, Reply::silent, Reply::answered}));
  const auto effect = outage->wait_for_effect("", kEffectLimit);
  ASSERT_TRUE(effect) << "no effect reported for the segment";
  EXPECT_THAT(effect->evidence, HasSubstr("to udp/5684 dropped"));
  EXPECT_THAT(outage->inspect().details, Contains(HasSubstr("everything on rdev udp/5684 drop")));
  EXPECT_EQ(outage->stop(), "");
}

TEST_F(NftablesOutageNetns, SegmentsShareTheTableAndLiftIndependently) {
  auto outage = rig();
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud}, "lab"), "");
  ASSERT_EQ(outage->start({.mode = OutageMode::internet, .action = OutageAction::reject}, "other"), "");
  EXPECT_EQ(lab_->probe({kArgonCloudUdp, kArgonWeb, kBystanderCloud}, kSilence),
            (std::vector<Reply>{Reply::silent, Reply::answered, Reply::refused}));
  ASSERT_EQ(outage->stop("lab"), "");
  EXPECT_TRUE(lab_->table_exists());
  EXPECT_EQ(lab_->probe({kArgonCloudUdp, kBystanderCloud}, kSilence),
            (std::vector<Reply>{Reply::answered, Reply::refused}));
  ASSERT_EQ(outage->stop("other"), "");
  EXPECT_FALSE(lab_->table_exists());
}

TEST_F(NftablesOutageNetns, StopIsSafeBeforeAnyStartAndTwice) {
  auto outage = rig();
  EXPECT_EQ(outage->stop(), "");
  ASSERT_EQ(outage->start({.mode = OutageMode::dns}), "");
  EXPECT_EQ(outage->stop(), "");
  EXPECT_EQ(outage->stop(), "");
  EXPECT_FALSE(lab_->table_exists());
  expect_all_answered("after stopping twice");
}

TEST_F(NftablesOutageNetns, ATableLeftByAKilledRunIsSweptAndOtherTablesAreLeftAlone) {
  ASSERT_EQ(lab_->in_rig("nft add table inet lab_firewall"), 0);
  {
    auto killed = rig();
    ASSERT_EQ(killed->start({.mode = OutageMode::internet}), "");
    // Destroyed without stop(), as a SIGKILLed run would leave it.
  }
  ASSERT_TRUE(lab_->table_exists());
  auto next = rig();
  // Both segments sweep at once, as a run starts; the table is reported removed once.
  const std::map<std::string, std::string> removed{
      {"lab", "removed table inet cyanrig in netns " + lab_->rig() + " left by an earlier run (3 rules)"},
      {"other", ""}};
  EXPECT_EQ(next->sweep_all(), removed);
  EXPECT_EQ(next->sweep(), "") << "the table was already removed";
  EXPECT_FALSE(lab_->table_exists());
  EXPECT_TRUE(lab_->table_exists("lab_firewall"));
  expect_all_answered("after the sweep");
}

TEST_F(NftablesOutageNetns, SweepNeverRemovesWhatThisRunHasInForce) {
  auto outage = rig();
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud}), "");
  EXPECT_EQ(outage->sweep("other"), "");
  EXPECT_TRUE(lab_->table_exists());
  EXPECT_EQ(outage->stop(), "");
}

TEST_F(NftablesOutageNetns, StatusShowsRulesNoSegmentOfTheRackOwns) {
  {
    OutageRig stranger(backend_yaml(", interface: rdev"), {{"argon-9", "10.77.1.9", "", "attic"}});
    ASSERT_EQ(stranger.start({.mode = OutageMode::cloud}, "attic"), "");
  }
  auto outage = rig();
  const OutageStatus status = outage->inspect("lab");
  EXPECT_FALSE(status.in_force);
  EXPECT_THAT(status.what, HasSubstr("also holds 2 rules not from this rack"));
  EXPECT_THAT(status.details,
              Contains("not from this rack: segment attic: argon-9 udp/5684 drop: 0 packets"));
  EXPECT_THAT(outage->inspect("other").details, testing::IsEmpty()) << "listed once, by one segment";
}

// The dead-man: hold() renews the lease while the engine keeps calling it, and without it the
// outage lapses by itself within the lease. (After a SIGKILL of the real binary: outage_cli_test.)
TEST_F(NftablesOutageNetns, HoldKeepsTheOutageBeyondItsLeaseAndWithoutHoldItLapses) {
  auto outage = rig(", lease: 2s");
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud}), "");
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < 4s) {
    test::run_until(
        outage->clock(), [] { return false; }, kOutageHoldPeriod);
    ASSERT_EQ(outage->hold(), "");
  }
  EXPECT_EQ(lab_->probe({kArgonCloudUdp}, 300ms), std::vector<Reply>{Reply::silent})
      << "held for twice its lease, the outage is still in force";
  EXPECT_THAT(outage->inspect().details, Contains(HasSubstr("lease: held by pid")));

  const auto last_hold = std::chrono::steady_clock::now();
  while (lab_->probe({kArgonCloudUdp}, 200ms) != std::vector<Reply>{Reply::answered}) {
    ASSERT_LT(std::chrono::steady_clock::now() - last_hold, 4s) << "the outage outlived its 2 s lease";
  }
  EXPECT_EQ(lab_->probe({kArgonCloudTcp, kBystanderCloud}, kSilence),
            (std::vector<Reply>{Reply::answered, Reply::answered}));
  const OutageStatus lapsed = outage->inspect();
  EXPECT_FALSE(lapsed.in_force);
  EXPECT_THAT(lapsed.what, HasSubstr("holds one whose lease ran out"));
  EXPECT_THAT(outage->hold(), HasSubstr("lapsed: its lease in table inet cyanrig"));
  EXPECT_EQ(outage->stop(), "");
  EXPECT_FALSE(lab_->table_exists());
}

TEST_F(NftablesOutageNetns, HoldNoticesTheTableRemovedOrItsRulesFlushedFromOutside) {
  auto outage = rig();
  ASSERT_EQ(outage->start({.mode = OutageMode::cloud}), "");
  ASSERT_EQ(outage->hold(), "");
  ASSERT_EQ(lab_->in_rig("nft flush table inet cyanrig"), 0);
  EXPECT_THAT(outage->hold(),
              HasSubstr("2 of the 2 rules of the cloud outage on lab were removed from table inet cyanrig"));

  ASSERT_EQ(outage->start({.mode = OutageMode::internet}), "");
  ASSERT_EQ(outage->hold(), "");
  ASSERT_EQ(lab_->in_rig("nft flush ruleset"), 0);
  EXPECT_THAT(outage->hold(),
              HasSubstr("table inet cyanrig in netns " + lab_->rig() +
                        " was removed from outside while the internet outage on lab was in force"));
  EXPECT_EQ(outage->stop(), "") << "lifting what is no longer there is not a fault";
}

TEST_F(NftablesOutageNetns, AnNftThatCannotRunIsAFaultThatSaysWhy) {
  OutageRig outage("{backend: nftables, netns: cyanrig-no-such-netns}",
                   {{"argon-1", NetnsLab::kArgonIp, ""}});
  EXPECT_THAT(
      outage.start({.mode = OutageMode::cloud}),
      HasSubstr(
          "nft could not load table inet cyanrig in netns cyanrig-no-such-netns: exited 255: Cannot open "
          "network namespace"));
  EXPECT_FALSE(outage.outage().active());
  EXPECT_THAT(outage.inspect().fault.message(), HasSubstr("nft could not list"));
}

}  // namespace
}  // namespace cyanrig::outage_testing
