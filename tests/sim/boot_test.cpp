// Healthy boots per platform class, the USB port across power cycles, and reproducibility.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <regex>

#include "sim_rig.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

std::vector<std::string> messages(const std::vector<Line>& lines) {
  std::vector<std::string> out;
  for (const Line& l : lines) out.push_back(l.message);
  return out;
}

std::vector<std::string> network_lines(const std::string& platform) {
  if (platform == "photon") return {"ARM_WLAN_WD 1", "ARM_WLAN_WD 2"};
  const std::string netif = platform == "boron" ? "Netif pp3 state UP" : "Netif wl3 link UP";
  return {"State changed: DISABLED -> IFACE_DOWN",       "State changed: IFACE_DOWN -> IFACE_REQUEST_UP",
          "State changed: IFACE_REQUEST_UP -> IFACE_UP", netif,
          "State changed: IFACE_UP -> IFACE_LINK_UP",    "State changed: IFACE_LINK_UP -> IP_CONFIGURED"};
}

class HealthyBoot : public ::testing::TestWithParam<std::string> {};

TEST_P(HealthyBoot, ReachesCloudConnectedWithTheReferenceLinesAndLed) {
  const std::string platform = GetParam();
  SimRig rig({{.name = "dut", .platform = platform}});
  rig.power("dut", PowerState::on);
  const auto connected = rig.wait_for_line("dut", "Cloud connected", minutes(3));
  ASSERT_TRUE(connected);
  rig.advance(seconds(1));

  // The application's own lines (the probe firmware's contract) come from `app`.
  std::vector<std::string> expected = {fmt::format("Device {} started", rig.id("dut").str()),
                                       "Last reset reason: 40 (data: 0x00)",
                                       "probe: version 1.0.0 booted, reset reason 40"};
  for (const std::string& l : network_lines(platform)) expected.push_back(l);
  for (const char* l :
       {"Cloud: connecting", "Cloud socket connected", "Starting handshake: presense_announce=0",
        "Establish secure connection", "Sending HELLO message", "Handshake completed", "Cloud connected",
        "probe: cloud connected"}) {
    expected.emplace_back(l);
  }
  EXPECT_EQ(messages(rig.lines_of("dut")), expected);

  static const std::regex kFormat(R"(\d{10} \[[a-z.]+\] (TRACE|INFO|WARN|ERROR|PANIC): .+)");
  for (const Line& l : rig.lines_of("dut")) {
    EXPECT_TRUE(std::regex_match(l.text, kFormat)) << l.text;
    const bool nm = l.message.starts_with("State changed");
    const bool netif = l.message.starts_with("Netif");
    const bool handshake = l.message == "Establish secure connection" ||
                           l.message.find("HELLO") != std::string::npos || l.message == "Handshake completed";
    const char* category = nm                                ? "system.nm"
                           : netif                           ? "net.ifapi"
                           : handshake                       ? "comm.protocol.handshake"
                           : l.message.starts_with("probe:") ? "app"
                                                             : "system";
    EXPECT_EQ(l.category, category) << l.text;
  }
  EXPECT_EQ(rig.find_line("dut", "Last reset reason")->level, "TRACE");

  EXPECT_EQ(rig.led_names("dut"),
            (std::vector<std::string>{"breathing_white", "blinking_green", "fast_blinking_green",
                                      "blinking_cyan", "fast_blinking_cyan", "breathing_cyan"}));
  // §2: dark ~1 s, then white ~1 s before the network.
  const auto white = rig.leds().front().t - run_start();
  EXPECT_GE(white, milliseconds(500));
  EXPECT_LE(white, milliseconds(1100));

  // Device OS's SLO: connected well within 60 s of a cold boot (cellular registration is slower).
  const Duration connect_time = connected->t - run_start();
  EXPECT_LT(connect_time, platform == "boron" ? seconds(80) : seconds(12));

  const auto online = rig.find_event("spark/status", "online");
  ASSERT_TRUE(online);
  EXPECT_EQ(online->event.device, rig.id("dut"));
  EXPECT_TRUE(rig.find_event("spark/device/last_reset", "power_down"));
  EXPECT_EQ(rig.device("dut").state(), "cloud_connected");
  EXPECT_EQ(rig.info("dut").reply.body["online"], true);
}

INSTANTIATE_TEST_SUITE_P(PlatformClasses, HealthyBoot, ::testing::Values("argon", "boron", "photon", "p2"));

TEST(SimBoot, UsbPortVanishesAtPowerOffAndReturnsSoonAfterPowerOn) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  rig.power("dut", PowerState::on);
  rig.advance(seconds(20));
  const Instant off_at = rig.now();
  rig.power("dut", PowerState::off);
  rig.advance(seconds(5));
  const Instant on_at = rig.now();
  rig.power("dut", PowerState::on);
  rig.advance(seconds(5));

  const auto& links = rig.links();
  ASSERT_EQ(links.size(), 3U);
  EXPECT_TRUE(links[0].attached);
  EXPECT_LE(links[0].t - run_start(), milliseconds(1500));
  EXPECT_FALSE(links[1].attached);
  EXPECT_LE(links[1].t - off_at, milliseconds(5));
  EXPECT_TRUE(links[2].attached);
  EXPECT_GE(links[2].t - on_at, milliseconds(400));
  EXPECT_LE(links[2].t - on_at, milliseconds(1500));
  // Nothing arrives while the port is gone.
  for (const Line& l : rig.lines()) EXPECT_FALSE(l.t > links[1].t && l.t < links[2].t) << l.text;
  EXPECT_EQ(rig.led_names("dut", off_at).front(), "off");
}

// A short story with an outage, for the reproducibility checks.
void tell_story(SimRig& rig) {
  rig.power("argon", PowerState::on);
  rig.power("boron", PowerState::on);
  rig.advance(minutes(2));
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);
  rig.advance(seconds(90));
  rig.end_outage("lab");
  rig.advance(minutes(2));
}

TEST(SimDeterminism, SameSeedGivesTheSameSerialOutputByteForByte) {
  const std::vector<DeviceSetup> devices = {{.name = "argon", .platform = "argon"},
                                            {.name = "boron", .platform = "boron"}};
  SimRig a(devices, 7);
  SimRig b(devices, 7);
  SimRig c(devices, 8);
  tell_story(a);
  tell_story(b);
  tell_story(c);
  ASSERT_GT(a.transcript().size(), 1000U);
  EXPECT_EQ(a.transcript(), b.transcript());
  EXPECT_NE(a.transcript(), c.transcript());
}

TEST(SimDeterminism, AddingADeviceDoesNotChangeWhatTheOthersDo) {
  SimRig alone({{.name = "argon", .platform = "argon"}, {.name = "boron", .platform = "boron"}}, 7);
  SimRig crowded({{.name = "argon", .platform = "argon"},
                  {.name = "boron", .platform = "boron"},
                  {.name = "extra", .platform = "p2"}},
                 7);
  tell_story(alone);
  crowded.power("extra", PowerState::on);
  tell_story(crowded);
  const auto render = [](const std::vector<Line>& lines) {
    std::string out;
    for (const Line& l : lines) out += fmt::format("{} {}\n", l.t.time_since_epoch().count(), l.text);
    return out;
  };
  EXPECT_EQ(render(alone.lines_of("argon")), render(crowded.lines_of("argon")));
  EXPECT_EQ(render(alone.lines_of("boron")), render(crowded.lines_of("boron")));
}

}  // namespace
}  // namespace cyanrig::sim::testing
