// The simulated devices follow the reference probe firmware's contract
// (scenarios/firmware/probe/README.md) row by row: the `probe:` log lines, the `state` variable and
// the `led` function the LED calibration uses.
#include <gtest/gtest.h>

#include <chrono>

#include "sim_rig.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;

class ProbeContract : public ::testing::Test {
 protected:
  ProbeContract() : rig_({{.name = "dut", .platform = "argon", .firmware = "2.4.0"}}) {}

  void connect() {
    rig_.power("dut", PowerState::on);
    ASSERT_TRUE(rig_.wait_for_line("dut", "probe: cloud connected", minutes(3)));
  }
  std::string state() { return rig_.read("dut", "state").reply.body.value("result", ""); }
  int call(const std::string& function, const std::string& arg) {
    return rig_.call("dut", function, arg).reply.body.value("return_value", -99);
  }

  SimRig rig_;
};

TEST_F(ProbeContract, BootAndConnectionLinesComeFromTheApplicationInOrder) {
  ASSERT_NO_FATAL_FAILURE(connect());
  const auto booted = rig_.find_line("dut", "probe: version 2.4.0 booted, reset reason 40");
  ASSERT_TRUE(booted) << "power on: reset reason 40 (power down)";
  EXPECT_EQ(booted->category, "app");
  const auto connected = rig_.find_line("dut", "probe: cloud connected");
  EXPECT_LT(booted->t, connected->t);
  EXPECT_TRUE(rig_.find_line("dut", "Cloud connected")) << "Device OS's own line is still there";

  rig_.outage("lab", OutageMode::cloud, OutageAction::drop);
  ASSERT_TRUE(rig_.wait_for_line("dut", "probe: cloud disconnected", minutes(5)));
  rig_.end_outage("lab");
  const auto back = rig_.wait_for_line("dut", "probe: cloud connected", minutes(5));
  ASSERT_TRUE(back);
  EXPECT_GT(back->t, connected->t) << "a second line for the second connection";
}

TEST_F(ProbeContract, StateIsOnlineAndEachFunctionSaysWhatItDoes) {
  ASSERT_NO_FATAL_FAILURE(connect());
  EXPECT_EQ(state(), "online");
  const Instant before = rig_.now();
  EXPECT_EQ(call("ping", ""), 1);
  EXPECT_TRUE(rig_.find_line("dut", "probe: ping answered", before));
  EXPECT_EQ(call("sleep", "stop,30"), 0);
  EXPECT_TRUE(rig_.find_line("dut", "probe: sleeping stop for 30 s", before));
  ASSERT_TRUE(rig_.wait_for_line("dut", "probe: woke up", minutes(1)));
  ASSERT_TRUE(rig_.wait_for_line("dut", "probe: cloud connected", minutes(3)));
  EXPECT_EQ(call("reset", ""), 0);
  ASSERT_TRUE(rig_.wait_for_line("dut", "probe: version 2.4.0 booted, reset reason 140", minutes(1)))
      << "System.reset(): reset reason 140 (user)";
}

TEST_F(ProbeContract, LedFunctionHoldsAColourOverTheSystemsSignalsUntilAuto) {
  ASSERT_NO_FATAL_FAILURE(connect());
  rig_.advance(seconds(5));
  ASSERT_EQ(rig_.device("dut").led().showing(), "breathing_cyan");
  EXPECT_EQ(call("led", "rgb,255,0,0"), 0);
  EXPECT_EQ(state(), "rgb");
  EXPECT_TRUE(rig_.find_line("dut", "probe: RGB control mode"));
  const Rgb red = rig_.device("dut").led().emitted(rig_.now());
  EXPECT_GT(red.r, 0.3F) << "full red at Device OS's default LED brightness (96 of 255)";
  EXPECT_FLOAT_EQ(red.g, 0.0F);
  EXPECT_FLOAT_EQ(red.b, 0.0F);

  // The cloud drops: the system would blink green/cyan, but the application holds the LED.
  rig_.outage("lab", OutageMode::cloud, OutageAction::drop);
  ASSERT_TRUE(rig_.wait_for_line("dut", "probe: cloud disconnected", minutes(5)));
  EXPECT_EQ(rig_.device("dut").led().showing(), "unknown");
  EXPECT_FLOAT_EQ(rig_.device("dut").led().emitted(rig_.now()).r, red.r);
  rig_.end_outage("lab");
  ASSERT_TRUE(rig_.wait_for_line("dut", "probe: cloud connected", minutes(5)));

  EXPECT_EQ(call("led", "auto"), 0);
  EXPECT_EQ(rig_.device("dut").led().showing(), "breathing_cyan") << "the system's signal is back";
  EXPECT_EQ(state(), "online");
  EXPECT_EQ(call("led", "rgb,256,0,0"), -1);
  EXPECT_EQ(call("led", "rgb,1,2"), -1);
  EXPECT_EQ(call("led", "on"), -1);
}

}  // namespace
}  // namespace cyanrig::sim::testing
