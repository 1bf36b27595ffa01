// The sim application and what the cloud makes of it: functions, variables, device info, sleep,
// OTA and panic.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "sim_rig.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

void power_on_and_connect(SimRig& rig, const std::string& device = "dut") {
  rig.power(device, PowerState::on);
  ASSERT_TRUE(rig.wait_for_line(device, "Cloud connected", minutes(3)));
}

std::filesystem::path firmware_file(const std::string& name, std::size_t bytes) {
  // One folder per test process (ctest runs the parameterised cases in parallel), removed at exit.
  static const test::TempDir kDir("cyanrig_sim_tests");
  auto path = kDir.path() / name;
  std::ofstream(path, std::ios::binary) << std::string(bytes, '\x5a');
  return path;
}

std::vector<std::string> messages_since(const SimRig& rig, Instant since) {
  std::vector<std::string> out;
  for (const Line& l : rig.lines_of("dut", since)) out.push_back(l.message);
  return out;
}

TEST(SimApplication, FunctionsAndVariablesAnswerAfterARoundTrip) {
  SimRig rig(
      {{.name = "dut", .platform = "argon", .firmware = "3.1.4"}, {.name = "cell", .platform = "boron"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig, "cell"));
  rig.advance(seconds(10));

  Instant asked = rig.now();
  const TimedReply ping = rig.call("dut", "ping", "");
  ASSERT_TRUE(ping.reply.ok());
  EXPECT_EQ(ping.reply.body["return_value"], 1);
  EXPECT_EQ(ping.reply.body["connected"], true);
  EXPECT_EQ(ping.reply.body["id"], rig.id("dut").str());
  EXPECT_GE(ping.t - asked, milliseconds(200));  // §6: ~0.3 s on Wi-Fi
  EXPECT_LE(ping.t - asked, milliseconds(400));

  asked = rig.now();
  const TimedReply cell_ping = rig.call("cell", "ping", "");
  EXPECT_EQ(cell_ping.reply.body["return_value"], 1);
  EXPECT_GE(cell_ping.t - asked, milliseconds(1200));  // ~1.5 s on cellular
  EXPECT_LE(cell_ping.t - asked, milliseconds(1800));

  const TimedReply uptime = rig.read("dut", "uptime");
  ASSERT_TRUE(uptime.reply.ok());
  EXPECT_EQ(uptime.reply.body["name"], "uptime");
  const auto since_boot = std::chrono::duration_cast<seconds>(rig.now() - run_start()).count();
  EXPECT_NEAR(uptime.reply.body["result"].get<double>(), static_cast<double>(since_boot), 1.0);
  EXPECT_EQ(rig.read("dut", "version").reply.body["result"], "3.1.4");
  EXPECT_EQ(rig.read("cell", "version").reply.body["result"], "1.0.0");
  EXPECT_EQ(rig.read("dut", "resets").reply.body["result"], 0);

  const TimedReply unknown_function = rig.call("dut", "explode", "");
  EXPECT_EQ(unknown_function.reply.error, CloudError::not_found);
  EXPECT_EQ(unknown_function.reply.http_status, 404);
  EXPECT_EQ(unknown_function.reply.body["error"], "Function explode not found");
  EXPECT_EQ(rig.read("dut", "colour").reply.error, CloudError::not_found);
  EXPECT_EQ(rig.call("dut", "sleep", "nap,10").reply.body["return_value"], -1);
  EXPECT_EQ(rig.call("dut", "panic", "zero").reply.body["return_value"], -1);

  const TimedReply info = rig.info("dut");
  ASSERT_TRUE(info.reply.ok());
  const auto& body = info.reply.body;
  EXPECT_EQ(body["id"], rig.id("dut").str());
  EXPECT_EQ(body["name"], "dut");
  EXPECT_EQ(body["online"], true);
  EXPECT_EQ(body["connected"], true);
  EXPECT_EQ(body["platform_id"], 12);
  EXPECT_EQ(body["cellular"], false);
  EXPECT_EQ(body["functions"], nlohmann::json({"ping", "sleep", "reset", "panic", "led"}));
  EXPECT_EQ(
      body["variables"],
      nlohmann::json({{"uptime", "int32"}, {"version", "string"}, {"resets", "int32"}, {"state", "string"}}));
  EXPECT_EQ(body["firmware_version"], "3.1.4");
  EXPECT_EQ(body["system_firmware_version"], "6.2.0");
  EXPECT_TRUE(body["last_heard"].get<std::string>().starts_with("2030-01-01T00:0"));
  EXPECT_EQ(rig.info("cell").reply.body["cellular"], true);
}

TEST(SimApplication, ResetRebootsWithReasonUserAndCountsIt) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant asked = rig.now();
  EXPECT_EQ(rig.call("dut", "reset", "").reply.body["return_value"], 0);
  ASSERT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(1)));
  EXPECT_TRUE(rig.find_line("dut", "Last reset reason: 140 (data: 0x00)", asked));
  // Gen 3 keeps its session across a reset.
  EXPECT_TRUE(rig.find_line("dut", "Skipping HELLO message", asked));
  rig.advance(seconds(1));
  EXPECT_TRUE(rig.find_event("spark/device/last_reset", "user", asked));
  // The cloud never heard it go: offline comes right before online.
  const auto offline = rig.find_event("spark/status", "offline", asked);
  const auto online = rig.find_event("spark/status", "online", asked);
  ASSERT_TRUE(offline && online);
  EXPECT_EQ(offline->t, online->t);
  EXPECT_EQ(rig.read("dut", "resets").reply.body["result"], 1);
}

TEST(SimApplication, CallsToADeviceTheCloudKnowsIsOfflineFailQuickly) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  const Instant asked = rig.now();
  const TimedReply r = rig.call("dut", "ping", "");
  EXPECT_EQ(r.reply.error, CloudError::timed_out);
  EXPECT_EQ(r.reply.http_status, 408);
  EXPECT_LT(r.t - asked, seconds(1));

  std::optional<CloudReply> unknown;
  rig.world().cloud().call_function(*DeviceId::parse("ffffffffffffffffffffffff"), "ping", "",
                                    [&](CloudReply reply) { unknown = std::move(reply); });
  rig.advance(seconds(1));
  ASSERT_TRUE(unknown);
  EXPECT_EQ(unknown->http_status, 404);
  EXPECT_EQ(unknown->error, CloudError::not_found);
}

// §5: STOP sleep disconnects gracefully (offline at once), goes dark, and resumes on wake.
TEST(SimSleep, StopSleepIsGracefulAndResumesTheSessionOnWake) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant asked = rig.now();
  EXPECT_EQ(rig.call("dut", "sleep", "stop,60").reply.body["return_value"], 0);
  // The application may act before the reply is back: look from when the call was made.
  rig.run_until([&] { return rig.find_line("dut", "Cloud: disconnected", asked).has_value(); }, seconds(5));
  const auto disconnected = rig.find_line("dut", "Cloud: disconnected", asked);
  ASSERT_TRUE(disconnected);
  EXPECT_TRUE(rig.find_line("dut", "Cloud: disconnecting", asked));
  rig.advance(seconds(2));
  const auto offline = rig.find_event("spark/status", "offline", asked);
  ASSERT_TRUE(offline);
  EXPECT_LE(offline->t - disconnected->t, milliseconds(50));
  EXPECT_EQ(rig.device("dut").state(), "sleeping");
  EXPECT_EQ(rig.device("dut").led().showing(), "off");
  ASSERT_FALSE(rig.links().back().attached);
  const Instant slept_at = rig.links().back().t;

  const auto back = rig.wait_for_line("dut", "Cloud connected", minutes(2));
  ASSERT_TRUE(back);
  EXPECT_GE(back->t - slept_at, seconds(60));
  EXPECT_LE(back->t - slept_at, seconds(75));
  EXPECT_TRUE(rig.links().back().attached);
  EXPECT_TRUE(rig.find_line("dut", "Skipping HELLO message", slept_at));
  EXPECT_FALSE(rig.find_line("dut", "started", slept_at));  // STOP continues: no reboot
  const auto leds = rig.led_names("dut", slept_at + seconds(59));
  EXPECT_EQ(leds, (std::vector<std::string>{"blinking_green", "fast_blinking_green", "blinking_cyan",
                                            "fast_blinking_cyan", "breathing_cyan"}));
  rig.advance(seconds(1));
  EXPECT_TRUE(rig.find_event("spark/status", "online", slept_at));
}

TEST(SimSleep, HibernateWakesThroughAResetWithReasonPowerManagement) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant asked = rig.now();
  EXPECT_EQ(rig.call("dut", "sleep", "hibernate,30").reply.body["return_value"], 0);
  ASSERT_TRUE(rig.wait_for_line("dut", "Last reset reason: 30 (data: 0x00)", minutes(1)));
  ASSERT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(1)));
  rig.advance(seconds(1));
  EXPECT_TRUE(rig.find_event("spark/device/last_reset", "power_management", asked));
  EXPECT_EQ(rig.read("dut", "resets").reply.body["result"], 1);
}

struct OtaCase {
  std::string platform;
  std::size_t bytes;
  Duration nominal_transfer;
};

class SimOta : public ::testing::TestWithParam<OtaCase> {};

TEST_P(SimOta, StreamsAppliesAndRebootsIntoTheNewVersion) {
  const OtaCase& c = GetParam();
  SimRig rig({{.name = "dut", .platform = c.platform}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const auto file = firmware_file("app-2.1.0.bin", c.bytes);
  const Instant asked = rig.now();
  const TimedReply accepted = rig.flash("dut", file.string());
  ASSERT_TRUE(accepted.reply.ok());
  EXPECT_EQ(accepted.reply.body["status"], "Update started");
  EXPECT_LT(accepted.t - asked, milliseconds(10));

  ASSERT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(5)));
  rig.advance(seconds(1));
  const std::vector<std::string> expected_start = {
      "Received UpdateStart request", fmt::format("File size: {}", c.bytes), "Starting firmware update",
      "Received UpdateFinish request", "Validating firmware update"};
  const auto lines = messages_since(rig, asked);
  ASSERT_GE(lines.size(), 10U);
  EXPECT_EQ(std::vector<std::string>(lines.begin(), lines.begin() + 5), expected_start);
  EXPECT_TRUE(lines[5].starts_with("Update time: "));
  EXPECT_EQ(lines[6], "Applying firmware update");
  EXPECT_EQ(lines[7], fmt::format("Device {} started", rig.id("dut").str()));
  EXPECT_EQ(lines[8], "Last reset reason: 70 (data: 0x00)");
  EXPECT_EQ(rig.find_line("dut", "Received UpdateStart")->category, "comm.ota");

  const Duration transfer =
      rig.find_line("dut", "Received UpdateFinish")->t - rig.find_line("dut", "Received UpdateStart")->t;
  EXPECT_GE(transfer, c.nominal_transfer * 0.89);
  EXPECT_LE(transfer, c.nominal_transfer * 1.11);
  EXPECT_EQ(rig.led_names("dut", asked).front(), "fast_blinking_magenta");

  // §6: flash started, flash success, device resets, offline then online, last_reset update.
  std::vector<std::string> events;
  for (const TimedEvent& e : rig.events()) {
    if (e.t >= asked) events.push_back(e.event.name + "=" + e.event.data);
  }
  EXPECT_EQ(events, (std::vector<std::string>{"spark/flash/status=started ", "spark/flash/status=success ",
                                              "spark/status=offline", "spark/status=online",
                                              "spark/device/last_reset=update"}));
  EXPECT_EQ(rig.read("dut", "version").reply.body["result"], "app-2.1.0");
  EXPECT_EQ(rig.info("dut").reply.body["firmware_version"], "app-2.1.0");
}

INSTANTIATE_TEST_SUITE_P(Radios, SimOta,
                         ::testing::Values(OtaCase{"argon", 100'000, seconds(3)},  // the 3 s minimum
                                           OtaCase{"p2", 1'000'000, seconds(20)},
                                           // §6: ~370 kB took ~82 s on cellular.
                                           OtaCase{"boron", 370'000, milliseconds(82'222)}));

TEST(SimOtaFailure, AnOutageDuringTheTransferTimesItOut) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant asked = rig.now();
  ASSERT_TRUE(rig.flash("dut", firmware_file("app-9.bin", 1'000'000).string()).reply.ok());
  rig.advance(seconds(5));
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);
  const auto failed = rig.wait_for_line("dut", "Firmware update failed", seconds(30));
  ASSERT_TRUE(failed);
  const auto timeout = rig.find_line("dut", "Transfer timeout", asked);
  ASSERT_TRUE(timeout);
  EXPECT_LE(timeout->t, failed->t);
  rig.advance(seconds(1));
  EXPECT_TRUE(rig.find_event("spark/flash/status", "failed", asked));
  EXPECT_FALSE(rig.find_event("spark/flash/status", "success ", asked));
  EXPECT_FALSE(rig.find_line("dut", "Last reset reason: 70", asked));
  rig.end_outage("lab");
  // Whether or not the session survived the outage, the device ends up connected on its old firmware.
  ASSERT_TRUE(rig.run_until([&] { return rig.device("dut").state() == "cloud_connected"; }, minutes(3)));
  EXPECT_EQ(rig.device("dut").led().showing(), "breathing_cyan");
  EXPECT_EQ(rig.read("dut", "version").reply.body["result"], "1.0.0");
}

TEST(SimOtaFailure, TheCloudRefusesAMissingFileAndAnOfflineDevice) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  const auto file = firmware_file("app-3.bin", 1000);
  const TimedReply offline = rig.flash("dut", file.string());
  EXPECT_EQ(offline.reply.error, CloudError::timed_out);
  EXPECT_EQ(offline.reply.http_status, 408);
  const TimedReply missing = rig.flash("dut", "/nonexistent/app.bin");
  EXPECT_EQ(missing.reply.error, CloudError::bad_request);
  EXPECT_EQ(missing.reply.http_status, 400);
}

// §2: SOS twice, then a reset with last reset reason panic and the code as data.
TEST(SimPanic, PlaysSosTwiceThenResetsWithThePanicCode) {
  SimRig rig({{.name = "dut", .platform = "argon"}});
  ASSERT_NO_FATAL_FAILURE(power_on_and_connect(rig));
  const Instant asked = rig.now();
  EXPECT_EQ(rig.call("dut", "panic", "13").reply.body["return_value"], 0);
  ASSERT_TRUE(rig.wait_for_line("dut", "Last reset reason: 130 (data: 0x0d)", minutes(1)));
  const auto panic_line = rig.find_line("dut", "stack_overflow", asked);
  ASSERT_TRUE(panic_line);
  EXPECT_EQ(panic_line->level, "PANIC");

  const LedChange* sos = nullptr;
  const LedChange* after = nullptr;
  for (const LedChange& c : rig.leds()) {
    if (c.t < asked) continue;
    if (sos != nullptr && after == nullptr) after = &c;
    if (c.name == "sos") sos = &c;
  }
  ASSERT_TRUE(sos != nullptr && after != nullptr);
  EXPECT_EQ(sos->signal.code, 13);
  EXPECT_EQ(after->name, "off");
  EXPECT_EQ(after->t - sos->t, 2 * sos_play_length(13));

  ASSERT_TRUE(rig.wait_for_line("dut", "Cloud connected", minutes(1)));
  rig.advance(seconds(1));
  EXPECT_TRUE(rig.find_event("spark/device/last_reset", "panic, stack_overflow", asked));
}

}  // namespace
}  // namespace cyanrig::sim::testing
