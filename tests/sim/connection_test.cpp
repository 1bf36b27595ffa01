// Losing and regaining the cloud: loss detection, drop vs reject, the internet test, DNS and link
// outages, the back-off schedule, the five-minute network reset, and the cloud's offline timing.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "drivers/sim/cloud_session.hpp"
#include "sim_rig.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

// USB delivers a line a frame or a few after it was written.
constexpr Duration kUsbSlack = milliseconds(5);

void power_on_and_connect(SimRig& rig) {
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(3)));
}

class LossDetection : public ::testing::TestWithParam<std::string> {};

// §4: an idle device notices at the first unanswered ping plus the ack timeout.
TEST_P(LossDetection, IsInsideThePlatformsWindowAndTheSessionResumesAfterwards) {
  const Platform& platform = *find_platform(GetParam());
  SimRig rig({{.name = "dut", .platform = GetParam()}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  rig.advance(seconds(7));
  const Instant outage_at = rig.now();
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);

  const auto error = rig.wait_for_line("dut", "Communication loop error, closing cloud socket", minutes(25));
  ASSERT_TRUE(error);
  const Duration detection = error->t - outage_at;
  EXPECT_GE(detection, platform.keepalive_ack_timeout);
  EXPECT_LE(detection, platform.loss_detection() + kUsbSlack);
  const auto disconnected = rig.find_line("dut", "Cloud: disconnected", error->t);
  ASSERT_TRUE(disconnected);
  EXPECT_TRUE(rig.find_line("dut", "Cloud: connecting", disconnected->t));

  rig.advance(seconds(10));
  const Instant lifted_at = rig.now();
  rig.end_outage("lab");
  const auto back = rig.wait_for_line("dut", "Cloud connected", minutes(2));
  ASSERT_TRUE(back);
  // The session made before the outage is resumed: no reset happened since.
  EXPECT_TRUE(rig.find_line("dut", "Skipping HELLO message", lifted_at));
  EXPECT_FALSE(rig.find_line("dut", "Device ", outage_at));
  // The cloud went offline (by timeout, or right before online when it never noticed) then online.
  const auto offline = rig.find_event("spark/status", "offline", outage_at);
  const auto online = rig.find_event("spark/status", "online", outage_at);
  ASSERT_TRUE(offline && online);
  EXPECT_LE(offline->t, online->t);
  EXPECT_EQ(rig.device("dut").state(), "cloud_connected");
}

// §4 and the reference's reading of reject: a connected device is not told when the outage starts;
// it finds out when it next sends, and then at once (its ping is refused, not left unanswered).
TEST_P(LossDetection, UnderRejectIsAtTheNextKeepaliveWithoutTheAckTimeout) {
  const Platform& platform = *find_platform(GetParam());
  SimRig rig({{.name = "dut", .platform = GetParam()}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant connected_at = rig.find_line("dut", "Cloud connected")->t;
  rig.advance(seconds(7));
  const Instant outage_at = rig.now();
  rig.outage("lab", OutageMode::cloud, OutageAction::reject);

  const auto error = rig.wait_for_line("dut", "Communication loop error, closing cloud socket", minutes(25));
  ASSERT_TRUE(error);
  // The first keepalive after the outage started, not the moment it started.
  Instant next_ping = connected_at + platform.keepalive;
  while (next_ping < outage_at) next_ping += platform.keepalive;
  EXPECT_GE(error->t, next_ping - kUsbSlack);
  EXPECT_LE(error->t, next_ping + kUsbSlack);
  EXPECT_GT(error->t - outage_at, seconds(1));
}

INSTANTIATE_TEST_SUITE_P(Platforms, LossDetection, ::testing::Values("argon", "photon", "boron"));

struct FailureCase {
  std::string platform;
  OutageMode mode;
  OutageAction action;
  std::string failure_line;  // the line that ends the attempt
  Duration min_after_connecting;
  Duration max_after_connecting;
  std::string diagnosis;  // the internet test's line, or empty
  int orange_flashes;     // 0: none
};

void PrintTo(const FailureCase& c, std::ostream* os) {
  *os << c.platform << " " << to_string(c.mode) << " " << to_string(c.action);
}

class AttemptFailure : public ::testing::TestWithParam<FailureCase> {};

TEST_P(AttemptFailure, FailsTheWayTheOutageDictates) {
  const FailureCase& c = GetParam();
  SimRig rig({{.name = "dut", .platform = c.platform}});
  rig.outage("lab", c.mode, c.action);
  rig.power("dut", PowerState::on);
  const auto failed = rig.wait_for_line("dut", c.failure_line, minutes(3));
  ASSERT_TRUE(failed);
  const auto connecting = rig.find_line("dut", "Cloud: connecting");
  ASSERT_TRUE(connecting);
  EXPECT_GE(failed->t - connecting->t, c.min_after_connecting);
  EXPECT_LE(failed->t - connecting->t, c.max_after_connecting);
  EXPECT_EQ(failed->level, "ERROR");

  const auto handled = rig.wait_for_line("dut", "Handling cloud error: ", seconds(10));
  ASSERT_TRUE(handled);
  if (!c.diagnosis.empty()) {
    const auto diagnosis = rig.find_line("dut", c.diagnosis, failed->t);
    ASSERT_TRUE(diagnosis);
    EXPECT_LE(diagnosis->t, handled->t);
  }
  bool flashed = false;
  for (const LedChange& l : rig.leds()) {
    if (l.name != "cloud_error") continue;
    flashed = true;
    EXPECT_EQ(l.signal.code, c.orange_flashes);
    EXPECT_FLOAT_EQ(l.signal.colour.g, static_cast<float>(0x60) / 255.0F);  // orange FF6000
  }
  EXPECT_EQ(flashed, c.orange_flashes > 0);
  EXPECT_FALSE(rig.find_line("dut", "Cloud connected"));
  EXPECT_FALSE(rig.find_event("spark/status", "online"));
}

const Duration kFast = milliseconds(1200);  // "fails within ~1 s"

INSTANTIATE_TEST_SUITE_P(
    Outages, AttemptFailure,
    ::testing::Values(
        // UDP/DTLS (Gen 3+): reject fails the handshake at once, drop times it out after 20-30 s.
        FailureCase{"argon", OutageMode::cloud, OutageAction::reject, "Cloud handshake failed, code=-220",
                    Duration{0}, kFast, "Internet available, cloud not reachable", 3},
        FailureCase{"argon", OutageMode::cloud, OutageAction::drop, "Cloud handshake failed, code=-160",
                    seconds(20), seconds(30) + kFast, "Internet available, cloud not reachable", 3},
        FailureCase{"argon", OutageMode::internet, OutageAction::drop, "Cloud handshake failed, code=-160",
                    seconds(20), seconds(30) + kFast, "Internet test failed: -1 timed out", 2},
        FailureCase{"p2", OutageMode::internet, OutageAction::reject, "Cloud handshake failed, code=-220",
                    Duration{0}, kFast, "Internet test failed: -1 connection refused", 2},
        // TCP (Gen 2 Wi-Fi): the socket connect itself fails.
        FailureCase{"photon", OutageMode::cloud, OutageAction::reject, "Cloud socket connection failed: -113",
                    Duration{0}, kFast, "Internet available, cloud not reachable", 3},
        FailureCase{"photon", OutageMode::cloud, OutageAction::drop, "Cloud socket connection failed: -110",
                    seconds(9), seconds(11), "Internet available, cloud not reachable", 3},
        // DNS: the name of the device's cloud host does not resolve.
        FailureCase{"argon", OutageMode::dns, OutageAction::reject,
                    "Unable to resolve IP for e00fce680000000000001000.udp.particle.io (-2)", Duration{0},
                    kFast, "", 0},
        FailureCase{"photon", OutageMode::dns, OutageAction::drop,
                    "Unable to resolve IP for device.tcp.particle.io (-2)", seconds(5), seconds(11), "", 0}));

TEST(SimConnection, UdpHandshakeUnderOutageNeverOpensASocketOnTcp) {
  SimRig rig({{.name = "dut", .platform = "photon"}});
  rig.outage("lab", OutageMode::cloud, OutageAction::reject);
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(rig.wait_for_line("dut", "Handling cloud error: -113", minutes(1)));
  EXPECT_FALSE(rig.find_line("dut", "Starting handshake"));
}

TEST(SimConnection, DnsOutageLeavesAnExistingSessionAlone) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant from = rig.now();
  rig.outage("lab", OutageMode::dns, OutageAction::drop);
  rig.advance(minutes(3));
  EXPECT_FALSE(rig.find_line("dut", "Communication loop error", from));
  EXPECT_TRUE(rig.world().cloud().online(rig.id("dut")));
  EXPECT_EQ(rig.call("dut", "ping", "").reply.body["return_value"], 1);
}

// device-os system_utilities.cpp: attempt n waits 1000 * 2^min(7, (n-1)/5) ms.
TEST(SimConnection, BackoffDoublesEveryFiveFailedAttempts) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  rig.outage("lab", OutageMode::cloud, OutageAction::reject);
  rig.power("dut", PowerState::on);
  rig.advance(minutes(5));

  const auto handled = rig.times_of("dut", "Handling cloud error");
  const auto connecting = rig.times_of("dut", "Cloud: connecting");
  ASSERT_GE(handled.size(), 20U);
  ASSERT_GE(connecting.size(), handled.size());
  for (std::size_t i = 0; i + 1 < handled.size(); ++i) {
    const int failures = static_cast<int>(i) + 1;
    const Duration expected = milliseconds(1000) * (1 << std::min(7, (failures - 1) / 5));
    const Duration waited = connecting[i + 1] - handled[i];
    EXPECT_GE(waited, expected - kUsbSlack) << "after failure " << failures;
    EXPECT_LE(waited, expected + kUsbSlack) << "after failure " << failures;
  }
  EXPECT_EQ(CloudSession::backoff(36), seconds(128));
  EXPECT_EQ(CloudSession::backoff(500), seconds(128));
}

TEST(SimConnection, FiveMinutesOfFailuresResetTheNetworkThenItConnectsWhenTheCloudReturns) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);
  rig.power("dut", PowerState::on);
  const auto reset = rig.wait_for_line(
      "dut", "Resetting network interfaces due to failed connection attempts for 5 minutes", minutes(10));
  ASSERT_TRUE(reset);
  const Instant first_attempt = rig.find_line("dut", "Cloud: connecting")->t;
  EXPECT_GE(reset->t - first_attempt, minutes(5));
  EXPECT_LE(reset->t - first_attempt, minutes(5) + seconds(30) + CloudSession::backoff(36));

  rig.advance(seconds(20));
  std::vector<std::string> after;
  for (const Line& l : rig.lines_of("dut", reset->t)) after.push_back(l.message);
  const auto at = std::find(after.begin(), after.end(), reset->message);
  ASSERT_LE(at + 4, after.end());
  EXPECT_EQ(at[1], "State changed: IP_CONFIGURED -> IFACE_REQUEST_DOWN");
  EXPECT_EQ(at[2], "State changed: IFACE_REQUEST_DOWN -> IFACE_DOWN");
  EXPECT_EQ(at[3], "State changed: IFACE_DOWN -> IFACE_REQUEST_UP");
  // Blinking green again, once the last error flashes have played.
  std::vector<std::string> leds = rig.led_names("dut", reset->t - kUsbSlack);
  std::erase(leds, "cloud_error");
  ASSERT_FALSE(leds.empty());
  EXPECT_EQ(leds.front(), "blinking_green");
  EXPECT_TRUE(rig.find_line("dut", "Cloud: connecting", reset->t));

  rig.end_outage("lab");
  EXPECT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(3)));
}

TEST(SimConnection, LinkOutageDropsTheSessionAtOnceAndKeepsTheDeviceBlinkingGreen) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  rig.advance(seconds(3));
  const Instant outage_at = rig.now();
  rig.outage("lab", OutageMode::link, OutageAction::drop);
  rig.advance(minutes(1));
  const auto down = rig.find_line("dut", "Netif wl3 link DOWN", outage_at);
  const auto disconnected = rig.find_line("dut", "Cloud: disconnected", outage_at);
  ASSERT_TRUE(down && disconnected);
  EXPECT_LE(disconnected->t - outage_at, kUsbSlack);
  EXPECT_FALSE(rig.find_line("dut", "Cloud: connecting", outage_at));
  EXPECT_EQ(rig.device("dut").led().showing(), "blinking_green");
  EXPECT_EQ(rig.device("dut").state(), "network_joining");

  const Instant lifted_at = rig.now();
  rig.end_outage("lab");
  const auto back = rig.wait_for_line("dut", "Cloud connected", minutes(1));
  ASSERT_TRUE(back);
  EXPECT_LE(back->t - lifted_at, seconds(20));
}

// §4: cellular registration times out after 10 min and the modem is reset.
TEST(SimConnection, CellularRegistrationGivesUpAfterTenMinutesWithoutLink) {
  SimRig rig({{.name = "dut", .platform = "boron"}});
  rig.outage("lab", OutageMode::link, OutageAction::drop);
  rig.power("dut", PowerState::on);
  const auto timeout = rig.wait_for_line("dut", "Cellular registration timed out", minutes(15));
  ASSERT_TRUE(timeout);
  const auto registering = rig.find_line("dut", "IFACE_REQUEST_UP -> IFACE_UP");
  ASSERT_TRUE(registering);
  EXPECT_GE(timeout->t - registering->t, minutes(10));
  EXPECT_LE(timeout->t - registering->t, minutes(10) + seconds(16));
  EXPECT_EQ(rig.device("dut").led().showing(), "blinking_green");
  EXPECT_FALSE(rig.find_line("dut", "Cloud: connecting"));
}

// Gen 3 Wi-Fi: the cloud times a silent device out after 50 s, the device waits up to 55 s for its
// ack. An outage that lifts in between leaves the device holding a session the cloud has dropped:
// the next exchange is refused and the device connects afresh (no resume).
TEST(SimConnection, ASessionTheCloudTimedOutIsRefusedAndRenewedInFull) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant connected = rig.find_line("dut", "Cloud connected")->t;
  rig.advance(connected + milliseconds(25'500) - rig.now());  // just after the first ping
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);
  rig.advance(connected + seconds(77) - rig.now());  // cloud gave up at 75 s, the ack deadline is 80 s
  ASSERT_TRUE(rig.find_event("spark/status", "offline"));
  rig.end_outage("lab");
  const auto refused = rig.wait_for_line("dut", "Communication loop error", seconds(5));
  ASSERT_TRUE(refused);
  const auto back = rig.wait_for_line("dut", "Cloud connected", seconds(10));
  ASSERT_TRUE(back);
  EXPECT_TRUE(rig.find_line("dut", "Sending HELLO message", refused->t));
  EXPECT_TRUE(rig.find_event("spark/status", "online", refused->t));
}

class OfflineAfterPowerLoss : public ::testing::TestWithParam<std::string> {};

// §4: the cloud marks a device offline about 2 x keepalive after power loss.
TEST_P(OfflineAfterPowerLoss, ComesWithinTwoKeepalivesOfTheLastPing) {
  const Platform& platform = *find_platform(GetParam());
  SimRig rig({{.name = "dut", .platform = GetParam()}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  rig.advance(platform.keepalive + seconds(3));
  const Instant off_at = rig.now();
  rig.power("dut", PowerState::off);
  rig.advance(seconds(1));
  EXPECT_TRUE(rig.world().cloud().online(rig.id("dut")));
  ASSERT_TRUE(rig.run_until([&] { return rig.find_event("spark/status", "offline").has_value(); },
                            2 * platform.keepalive + seconds(5)));
  const Duration after = rig.find_event("spark/status", "offline")->t - off_at;
  EXPECT_GE(after, platform.keepalive);
  EXPECT_LE(after, 2 * platform.keepalive);
  EXPECT_EQ(rig.info("dut").reply.body["online"], false);
}

INSTANTIATE_TEST_SUITE_P(Platforms, OfflineAfterPowerLoss, ::testing::Values("argon", "boron"));

}  // namespace
}  // namespace cyanrig::sim::testing
