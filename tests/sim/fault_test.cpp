// Each fault model with probability 1 (it shows) and 0 (no effect), and fault validation.
#include <gtest/gtest.h>

#include <chrono>

#include "drivers/sim/faults.hpp"
#include "sim_rig.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

DeviceSetup argon_with(std::vector<FaultSpec> faults) {
  return {.name = "dut", .platform = "argon", .faults = std::move(faults)};
}

bool connects_within(SimRig& rig, Duration limit) {
  return rig.wait_for_line("dut", "Cloud connected", limit).has_value();
}

// Boots the device during a 2-minute cloud outage; returns when the outage is lifted.
Instant boot_during_outage(SimRig& rig) {
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);
  rig.power("dut", PowerState::on);
  rig.advance(minutes(2));
  rig.end_outage("lab");
  return rig.now();
}

TEST(SimFaults, StuckAfterOutageBootNeverConnectsUntilPowerCycled) {
  SimRig rig({argon_with({fault("stuck_after_outage_boot", 1.0)})});
  const Instant lifted = boot_during_outage(rig);
  EXPECT_FALSE(connects_within(rig, minutes(10)));
  const auto refused = rig.find_line("dut", "Cloud handshake failed, code=-240", lifted);
  ASSERT_TRUE(refused);
  bool red_flash = false;
  for (const LedChange& c : rig.leds()) {
    red_flash = red_flash || (c.t >= lifted && c.name == "cloud_error" && c.signal.code == 1 &&
                              c.signal.colour.r == 1.0F && c.signal.colour.g == 0.0F);
  }
  EXPECT_TRUE(red_flash);
  EXPECT_FALSE(rig.find_event("spark/status", "online"));

  rig.power("dut", PowerState::off);
  rig.advance(seconds(5));
  rig.power("dut", PowerState::on);
  EXPECT_TRUE(connects_within(rig, minutes(1)));
}

TEST(SimFaults, StuckAfterOutageBootWithProbabilityZeroRecovers) {
  SimRig rig({argon_with({fault("stuck_after_outage_boot", 0.0)})});
  boot_during_outage(rig);
  EXPECT_TRUE(connects_within(rig, minutes(1)));
}

TEST(SimFaults, StuckNeedsTheOutageAtBoot) {
  SimRig rig({argon_with({fault("stuck_after_outage_boot", 1.0)})});
  rig.power("dut", PowerState::on);
  EXPECT_TRUE(connects_within(rig, minutes(1)));
}

void lose_cloud_to_outage_and_reconnect(SimRig& rig) {
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(connects_within(rig, minutes(1)));
  rig.outage("lab", OutageMode::cloud, OutageAction::drop);
  ASSERT_TRUE(rig.wait_for_line("dut", "Communication loop error", minutes(2)));
  rig.end_outage("lab");
  ASSERT_TRUE(connects_within(rig, minutes(2)));
  rig.advance(seconds(1));
}

// §8 May 2020: back "online" with its functions listed, yet calls time out until reset.
TEST(SimFaults, OrphanAfterOutageLooksOnlineButCallsTimeOut) {
  SimRig rig({argon_with({fault("orphan_after_outage", 1.0)})});
  ASSERT_NO_FATAL_FAILURE(lose_cloud_to_outage_and_reconnect(rig));
  EXPECT_EQ(rig.device("dut").led().showing(), "breathing_cyan");
  const TimedReply info = rig.info("dut");
  EXPECT_EQ(info.reply.body["online"], true);
  EXPECT_EQ(info.reply.body["functions"].size(), 5U);

  const Instant asked = rig.now();
  const TimedReply ping = rig.call("dut", "ping", "");
  EXPECT_EQ(ping.reply.error, CloudError::timed_out);
  EXPECT_EQ(ping.reply.http_status, 408);
  EXPECT_EQ(ping.reply.message, "Timed out.");
  EXPECT_GE(ping.t - asked, seconds(29));
  EXPECT_LE(ping.t - asked, seconds(31));
  EXPECT_EQ(rig.read("dut", "uptime").reply.error, CloudError::timed_out);
  EXPECT_TRUE(rig.world().cloud().online(rig.id("dut")));

  rig.power("dut", PowerState::off);
  rig.advance(seconds(5));
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(connects_within(rig, minutes(1)));
  EXPECT_EQ(rig.call("dut", "ping", "").reply.body["return_value"], 1);
}

TEST(SimFaults, OrphanAfterOutageWithProbabilityZeroAnswers) {
  SimRig rig({argon_with({fault("orphan_after_outage", 0.0)})});
  ASSERT_NO_FATAL_FAILURE(lose_cloud_to_outage_and_reconnect(rig));
  EXPECT_EQ(rig.call("dut", "ping", "").reply.body["return_value"], 1);
}

Duration wake_to_connected(SimRig& rig) {
  rig.power("dut", PowerState::on);
  if (!connects_within(rig, minutes(1))) return Duration::max();
  rig.call("dut", "sleep", "ulp,30");
  rig.advance(seconds(1));
  const Instant slept = rig.now();
  const auto back = rig.wait_for_line("dut", "Cloud connected", minutes(30));
  return back ? back->t - slept : Duration::max();
}

TEST(SimFaults, SlowSleepRecoveryAddsItsExtraToTheNetworkAfterWaking) {
  SimRig rig({argon_with({fault("slow_sleep_recovery", 1.0, "{probability: 1, extra: 5m}")})});
  const Instant start = rig.now();
  const Duration took = wake_to_connected(rig);
  EXPECT_GE(took, seconds(29) + minutes(5));
  EXPECT_LE(took, seconds(30) + minutes(5) + seconds(15));
  // Stuck blinking green for the extra time, then the usual way to breathing cyan.
  std::vector<LedChange> after_wake;
  for (const LedChange& c : rig.leds()) {
    if (c.t > start && (c.name == "blinking_green" || c.name == "fast_blinking_green"))
      after_wake.push_back(c);
  }
  ASSERT_GE(after_wake.size(), 4U);  // boot, then wake
  EXPECT_EQ(after_wake[2].name, "blinking_green");
  EXPECT_EQ(after_wake[3].name, "fast_blinking_green");
  EXPECT_GE(after_wake[3].t - after_wake[2].t, minutes(5));
}

TEST(SimFaults, SlowSleepRecoveryWithProbabilityZeroWakesAtNormalSpeed) {
  SimRig rig({argon_with({fault("slow_sleep_recovery", 0.0)})});
  EXPECT_LE(wake_to_connected(rig), seconds(30) + seconds(15));
}

TEST(SimFaults, BadKeysFailEveryHandshakeAndTheCloudNeverSeesTheDevice) {
  SimRig rig({argon_with({fault("bad_keys", 1.0)})});
  rig.power("dut", PowerState::on);
  EXPECT_FALSE(connects_within(rig, minutes(3)));
  EXPECT_GE(rig.times_of("dut", "Cloud handshake failed, code=-240").size(), 5U);
  EXPECT_TRUE(rig.find_line("dut", "Establish secure connection"));
  EXPECT_FALSE(rig.find_event("spark/status", "online"));
  EXPECT_EQ(rig.info("dut").reply.body["online"], false);
}

TEST(SimFaults, BadKeysWithProbabilityZeroConnect) {
  SimRig rig({argon_with({fault("bad_keys", 0.0)})});
  rig.power("dut", PowerState::on);
  EXPECT_TRUE(connects_within(rig, minutes(1)));
}

TEST(SimFaults, FlakyBackoffFailsAttemptsSoTheBackoffGrows) {
  SimRig rig({argon_with({fault("flaky_backoff", 1.0)})});
  rig.power("dut", PowerState::on);
  rig.advance(minutes(2));
  EXPECT_FALSE(rig.find_line("dut", "Cloud connected"));
  const auto handled = rig.times_of("dut", "Handling cloud error: -240");
  const auto connecting = rig.times_of("dut", "Cloud: connecting");
  ASSERT_GE(handled.size(), 12U);
  EXPECT_NEAR(std::chrono::duration<double>(connecting[1] - handled[0]).count(), 1.0, 0.01);
  EXPECT_NEAR(std::chrono::duration<double>(connecting[6] - handled[5]).count(), 2.0, 0.01);
  EXPECT_NEAR(std::chrono::duration<double>(connecting[11] - handled[10]).count(), 4.0, 0.01);
}

TEST(SimFaults, FlakyBackoffWithProbabilityZeroConnectsFirstTime) {
  SimRig rig({argon_with({fault("flaky_backoff", 0.0)})});
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(connects_within(rig, minutes(1)));
  EXPECT_EQ(rig.times_of("dut", "Cloud: connecting").size(), 1U);
}

bool seen_led(const SimRig& rig, std::string_view name, Instant since) {
  for (const LedChange& c : rig.leds()) {
    if (c.t >= since && c.name == name) return true;
  }
  return false;
}

// The application panics a second or two after it starts, before it writes anything, and the device
// resets after each SOS; cutting the power changes nothing, since the flash still holds it.
TEST(SimFaults, BadFirmwareCrashesAtEveryBootWithoutASerialLineAndSurvivesAPowerCycle) {
  SimRig rig({argon_with({fault("bad_firmware", 1.0)})});
  rig.power("dut", PowerState::on);
  rig.advance(minutes(1));
  EXPECT_TRUE(rig.lines_of("dut").empty());
  EXPECT_TRUE(seen_led(rig, "sos", Instant{}));
  EXPECT_EQ(rig.device("dut").last_reset().reason, ResetReason::panic);
  EXPECT_GE(rig.device("dut").resets(), 3);
  EXPECT_FALSE(seen_led(rig, "breathing_cyan", Instant{}));

  rig.power("dut", PowerState::off);
  rig.advance(seconds(5));
  const Instant back_on = rig.now();
  rig.power("dut", PowerState::on);
  rig.advance(minutes(1));
  EXPECT_TRUE(rig.lines_of("dut").empty());
  EXPECT_TRUE(seen_led(rig, "sos", back_on));
  EXPECT_TRUE(rig.device("dut").firmware_broken());
}

// §7: 14400 baud is heard while the port is up, never during an SOS; in DFU mode the port is gone and
// the LED blinks yellow; a download takes seconds and the device then boots the new application.
TEST(SimFaults, BadFirmwareIsCuredByADfuDownloadRequestedBetweenCrashes) {
  SimRig rig({argon_with({fault("bad_firmware", 1.0)})});
  SimDevice& dut = rig.device("dut");
  constexpr std::uintmax_t kImageBytes = std::uintmax_t{64} * 1024;
  rig.power("dut", PowerState::on);
  ASSERT_TRUE(rig.run_until([&] { return dut.state() == "panic"; }, minutes(1)));
  ASSERT_TRUE(dut.usb().attached());
  dut.usb_baud_requested(14400);
  EXPECT_EQ(dut.state(), "panic");  // unheard

  ASSERT_TRUE(rig.run_until([&] { return dut.state() == "booting" && dut.usb().attached(); }, minutes(1)));
  dut.usb_baud_requested(28800);  // listening mode is another request: not DFU
  EXPECT_EQ(dut.state(), "booting");
  const Instant asked = rig.now();
  dut.usb_baud_requested(14400);
  EXPECT_EQ(dut.state(), "dfu");
  EXPECT_FALSE(dut.usb().attached());
  EXPECT_FALSE(dut.in_dfu());  // the bootloader has not enumerated yet
  EXPECT_FALSE(dut.dfu_download(kImageBytes));
  ASSERT_TRUE(rig.run_until([&] { return dut.in_dfu(); }, seconds(5)));
  EXPECT_EQ(dut.led().showing(), "blinking_yellow");

  ASSERT_TRUE(dut.dfu_download(kImageBytes));
  EXPECT_FALSE(dut.dfu_download(kImageBytes));  // one at a time
  ASSERT_TRUE(rig.run_until([&] { return dut.dfu_downloads() == 1; }, seconds(30)));
  EXPECT_GT(rig.now() - asked, seconds(2));
  EXPECT_LT(rig.now() - asked, seconds(10));
  EXPECT_FALSE(dut.firmware_broken());
  EXPECT_TRUE(connects_within(rig, minutes(1)));
  EXPECT_TRUE(rig.find_line("dut", "Device " + rig.id("dut").str() + " started", asked));
}

TEST(SimFaults, BadFirmwareWithProbabilityZeroBootsNormally) {
  SimRig rig({argon_with({fault("bad_firmware", 0.0)})});
  rig.power("dut", PowerState::on);
  EXPECT_TRUE(connects_within(rig, minutes(1)));
}

TEST(SimFaultSpecs, UnknownFaultsAndParametersAreReportedWhereTheyAre) {
  Diagnostics diags;
  DeviceFaults::read(
      {fault("bad_keyz", 1.0), fault("slow_sleep_recovery", 1.0, "{probability: 1, extar: 5m}"),
       fault("bad_keys", 1.0, "{probability: 1, extra: 5m}"),
       fault("slow_sleep_recovery", 1.0, "{probability: 1, extra: soon}")},
      diags);
  ASSERT_EQ(diags.size(), 4U);
  EXPECT_EQ(diags.items()[0].loc.file, "rack.yaml");
  EXPECT_EQ(diags.items()[0].loc.line, 7);
  EXPECT_EQ(diags.items()[0].loc.column, 9);
  EXPECT_NE(diags.items()[0].message.find("did you mean 'bad_keys'"), std::string::npos);
  EXPECT_NE(diags.items()[1].message.find("unknown field 'extar'"), std::string::npos);
  EXPECT_NE(diags.items()[1].message.find("did you mean 'extra'"), std::string::npos);
  EXPECT_EQ(diags.items()[1].loc.line, 1);  // inside the fault's own mapping
  EXPECT_NE(diags.items()[2].message.find("unknown field 'extra'"), std::string::npos);
  EXPECT_NE(diags.items()[3].message.find("extra"), std::string::npos);
}

TEST(SimFaultSpecs, KnownFaultsReadTheirProbabilityAndExtra) {
  Diagnostics diags;
  const DeviceFaults faults = DeviceFaults::read(
      {fault("orphan_after_outage", 0.25), fault("slow_sleep_recovery", 1.0, "{probability: 1, extra: 2m}")},
      diags);
  EXPECT_TRUE(diags.empty());
  EXPECT_EQ(faults.probability(Fault::orphan_after_outage), 0.25);
  EXPECT_FALSE(faults.probability(Fault::bad_keys).has_value());
  EXPECT_EQ(faults.slow_sleep_extra(), minutes(2));
  EXPECT_EQ(DeviceFaults::read({}, diags).slow_sleep_extra(), minutes(25));
}

}  // namespace
}  // namespace cyanrig::sim::testing
