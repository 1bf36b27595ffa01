// One TCS34725 behind a TCA9548A channel, step by step against a scripted bus: every transaction the
// driver makes is listed, in order, with its bytes.
#include <gtest/gtest.h>

#include "drivers/led/tcs34725/bus_port.hpp"
#include "drivers/led/tcs34725/tcs34725_poller.hpp"
#include "scripted_i2c_bus.hpp"

namespace cyanrig::ledhw_testing {
namespace {

using namespace tcs34725;
using std::chrono::microseconds;
using std::chrono::milliseconds;

constexpr I2cAddress kMux{0x70};
constexpr I2cAddress kSensor{0x29};
constexpr std::uint8_t kChannel3 = 0x08;
constexpr const char* kWhere = "led sensor on /dev/i2c-1 mux 0x70 channel 3 address 0x29";

Instant at(Duration d) {
  return Instant{d};
}

Bytes burst(std::uint8_t status, Crgb n) {
  const auto lo = [](std::uint16_t v) { return static_cast<std::uint8_t>(v & 0xFF); };
  const auto hi = [](std::uint16_t v) { return static_cast<std::uint8_t>(v >> 8); };
  return {status, lo(n.c), hi(n.c), lo(n.r), hi(n.r), lo(n.g), hi(n.g), lo(n.b), hi(n.b)};
}

class PollerTest : public ::testing::Test {
 protected:
  PollerTest() {
    settings_.integration = Integration{2};  // 4.8 ms -> ATIME 0xFE
    settings_.gain = Gain::x16;
    settings_.period = milliseconds(5);
    settings_.auto_gain = true;
  }

  Tcs34725Poller make() {
    return Tcs34725Poller("argon-3", {"/dev/i2c-1", MuxChannel{kMux, 3}, kSensor}, settings_);
  }

  void expect_select() { bus_.expect_write(kMux, {kChannel3}); }
  void expect_id(std::uint8_t id = kIdTcs34725) {
    expect_select();
    bus_.expect_read(kSensor, {0x92}, {id});
  }
  // ID, ATIME, CONTROL, then PON alone: the first poll.
  void expect_configure(std::uint8_t gain_byte = 0x02) {
    expect_id();
    bus_.expect_write(kSensor, {0x81, 0xFE});
    bus_.expect_write(kSensor, {0x8F, gain_byte});
    bus_.expect_write(kSensor, {0x80, 0x01});
  }
  void expect_enable() {
    expect_select();
    bus_.expect_write(kSensor, {0x80, 0x03});
  }
  void expect_burst(Crgb counts, std::uint8_t status = 0x01) {
    expect_select();
    bus_.expect_read(kSensor, {0xB3}, burst(status, counts));
  }
  void expect_lost_burst() {
    expect_select();
    bus_.nack_read(kSensor, {0xB3}, 9);
  }

  // Configures and enables the sensor; returns when the first burst is due.
  Instant power_up(Tcs34725Poller& poller, Instant t = at(milliseconds(0))) {
    expect_configure();
    PollResult r = poller.poll(port_, t);
    expect_enable();
    r = poller.poll(port_, r.next);
    return r.next;
  }

  Tcs34725Settings settings_;
  ScriptedI2cBus bus_;
  BusPort port_{bus_};
};

TEST_F(PollerTest, IdentifiesATcs34725BehindItsMuxChannel) {
  expect_id();
  auto poller = make();
  EXPECT_TRUE(poller.identify(port_).ok());
}

TEST_F(PollerTest, AcceptsTheTcs34727Id) {
  expect_id(kIdTcs34727);
  auto poller = make();
  EXPECT_TRUE(poller.identify(port_).ok());
}

TEST_F(PollerTest, RejectsAnotherChipNamingWhereItIs) {
  expect_id(0x12);
  auto poller = make();
  const Status s = poller.identify(port_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            std::string(kWhere) + ": answers with ID 0x12: not a TCS34725 (ID 0x44) or TCS34727 (0x4d)");
}

TEST_F(PollerTest, AMissingSensorIsNamedByBusChannelAndAddress) {
  expect_select();
  bus_.nack_read(kSensor, {0x92}, 1);
  auto poller = make();
  const Status s = poller.identify(port_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), std::string(kWhere) + ": no answer at 0x29 (sensor unplugged?)");
}

TEST_F(PollerTest, AMissingMultiplexerIsToldApartFromAMissingSensor) {
  bus_.nack_write(kMux, {kChannel3});
  auto poller = make();
  const Status s = poller.identify(port_);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            std::string(kWhere) + ": no answer at 0x70 (multiplexer unplugged, or a wrong mux address?)");
}

TEST_F(PollerTest, PowersUpWithSettingsThenWaitsBeforeEnablingTheAdc) {
  auto poller = make();
  expect_configure();
  const PollResult configured = poller.poll(port_, at(milliseconds(10)));
  EXPECT_GE(configured.next - at(milliseconds(10)), kPowerOnWait);
  EXPECT_FALSE(configured.reading);

  expect_enable();
  const PollResult enabled = poller.poll(port_, configured.next);
  // The first reading is asked for once a whole integration has run.
  EXPECT_EQ(enabled.next - configured.next, settings_.integration.duration());
  EXPECT_TRUE(bus_.done());
}

TEST_F(PollerTest, WritesTheGainFromTheRackFile) {
  settings_.gain = Gain::x60;
  auto poller = make();
  expect_configure(0x03);
  poller.poll(port_, at(milliseconds(0)));
}

TEST_F(PollerTest, SelectsTheMuxChannelBeforeEveryReadAndDecodesTheBurst) {
  auto poller = make();
  Instant t = power_up(poller);
  for (std::uint16_t i = 1; i <= 3; ++i) {
    expect_burst({static_cast<std::uint16_t>(100 * i), 40, 30, 20});
    const PollResult r = poller.poll(port_, t);
    ASSERT_TRUE(r.reading);
    EXPECT_EQ(r.reading->counts, (Crgb{static_cast<std::uint16_t>(100 * i), 40, 30, 20}));
    EXPECT_EQ(r.reading->gain, Gain::x16);
    // Dated to the middle of the integration it came from, on average.
    EXPECT_EQ(r.reading->t, t - settings_.integration.duration());
    EXPECT_EQ(r.next - t, milliseconds(5));
    t = r.next;
  }
}

TEST_F(PollerTest, AutoGainStepsDownAtOnceWhenSaturatedAndDropsTheStraddlingReading) {
  auto poller = make();
  Instant t = power_up(poller);
  expect_burst({1536, 900, 500, 200});  // saturated at 4.8 ms
  bus_.expect_write(kSensor, {0x8F, 0x01});
  PollResult r = poller.poll(port_, t);
  EXPECT_FALSE(r.reading) << "a clipped reading has the wrong colour";
  EXPECT_EQ(poller.gain(), Gain::x4);

  expect_burst({800, 400, 200, 100});  // integrated partly at the old gain
  r = poller.poll(port_, r.next);
  EXPECT_FALSE(r.reading);

  expect_burst({380, 225, 125, 50});
  r = poller.poll(port_, r.next);
  ASSERT_TRUE(r.reading);
  EXPECT_EQ(r.reading->gain, Gain::x4);
}

TEST_F(PollerTest, AutoGainStepsUpOnlyAfterAWholeWindowOfDimLight) {
  settings_.period = milliseconds(500);  // fewer polls to script; the window is the same 4.5 s
  auto poller = make();
  Instant t = power_up(poller);
  const Instant enabled = t - settings_.integration.duration();
  int polls = 0;
  while (t - enabled < Tcs34725Poller::kAutoGainWindow) {
    expect_burst({150, 60, 50, 40});  // 150 * 60/16 = 562 < 768: room for 60x
    t = poller.poll(port_, t).next;
    ++polls;
  }
  EXPECT_EQ(poller.gain(), Gain::x16) << "raised before the window was over";
  EXPECT_GT(polls, 5);
  expect_burst({150, 60, 50, 40});
  bus_.expect_write(kSensor, {0x8F, 0x03});
  const PollResult r = poller.poll(port_, t);
  EXPECT_EQ(poller.gain(), Gain::x60);
  EXPECT_TRUE(r.reading) << "the reading before the change is still good";
}

TEST_F(PollerTest, AutoGainKeepsTheGainWhenTheLightIsBrightSometimes) {
  settings_.period = milliseconds(500);
  auto poller = make();
  Instant t = power_up(poller);
  for (int i = 0; i < 12; ++i) {  // 6 s: one bright reading among dark ones (a blink)
    expect_burst(i == 4 ? Crgb{1000, 500, 300, 200} : Crgb{20, 8, 6, 6});
    t = poller.poll(port_, t).next;
  }
  EXPECT_EQ(poller.gain(), Gain::x16);
}

TEST_F(PollerTest, FixedGainDeliversSaturatedReadings) {
  settings_.auto_gain = false;
  auto poller = make();
  const Instant t = power_up(poller);
  expect_burst({1536, 900, 500, 200});
  EXPECT_TRUE(poller.poll(port_, t).reading);
  EXPECT_EQ(poller.gain(), Gain::x16);
}

TEST_F(PollerTest, ASingleGarbledReadIsRetriedWithoutAFault) {
  auto poller = make();
  Instant t = power_up(poller);
  expect_lost_burst();
  PollResult r = poller.poll(port_, t);
  EXPECT_FALSE(r.fault);
  EXPECT_EQ(r.next - t, milliseconds(5));
  expect_burst({100, 40, 30, 20});
  r = poller.poll(port_, r.next);
  EXPECT_TRUE(r.reading);
}

TEST_F(PollerTest, AVanishedSensorIsReportedOnceRetriedSlowlyAndRecovers) {
  auto poller = make();
  Instant t = power_up(poller);
  std::vector<HardwareFault> faults;
  PollResult r;
  Instant last_failure;
  for (int i = 0; i < Tcs34725Poller::kFailuresBeforeFault; ++i) {
    expect_lost_burst();
    last_failure = t;
    r = poller.poll(port_, t);
    if (r.fault) faults.push_back(*r.fault);
    t = r.next;
  }
  ASSERT_EQ(faults.size(), 1U);
  EXPECT_EQ(faults[0].message, std::string(kWhere) + ": no answer at 0x29 (sensor unplugged?)");
  EXPECT_EQ(r.next - last_failure, Tcs34725Poller::kRetryEvery);

  // Still gone: looked for again a second later, not reported again.
  for (int i = 0; i < 3; ++i) {
    expect_select();
    bus_.nack_read(kSensor, {0x92}, 1);
    r = poller.poll(port_, t);
    EXPECT_FALSE(r.fault);
    EXPECT_EQ(r.next - t, Tcs34725Poller::kRetryEvery);
    t = r.next;
  }

  // Back (replugged, so unconfigured): configured from scratch, then reads, and says so once.
  expect_configure();
  r = poller.poll(port_, t);
  expect_enable();
  r = poller.poll(port_, r.next);
  expect_burst({100, 40, 30, 20});
  r = poller.poll(port_, r.next);
  EXPECT_TRUE(r.reading);
  EXPECT_TRUE(r.recovered);
  expect_burst({100, 40, 30, 20});
  EXPECT_FALSE(poller.poll(port_, r.next).recovered);
}

TEST_F(PollerTest, ASensorThatResetIsConfiguredAgain) {
  auto poller = make();
  Instant t = power_up(poller);
  expect_burst({100, 40, 30, 20});
  t = poller.poll(port_, t).next;
  t += milliseconds(20);             // well past the first integrations
  expect_burst({0, 0, 0, 0}, 0x00);  // AVALID clear: it lost power and its settings
  PollResult r = poller.poll(port_, t);
  EXPECT_FALSE(r.reading);
  EXPECT_FALSE(r.fault);
  expect_configure();
  r = poller.poll(port_, r.next);
  EXPECT_GE(r.next - t, kPowerOnWait);
}

TEST_F(PollerTest, WaitsForTheFirstIntegrationWithoutReportingAReset) {
  auto poller = make();
  const Instant t = power_up(poller);
  expect_burst({0, 0, 0, 0}, 0x00);  // the chip's oscillator runs a little slow
  const PollResult r = poller.poll(port_, t);
  EXPECT_FALSE(r.reading);
  expect_burst({100, 40, 30, 20});
  EXPECT_TRUE(poller.poll(port_, r.next).reading);
}

// ---- routing between multiplexers ---------------------------------------------------------------

TEST(BusPort, ClosesAnotherMultiplexerSoTwoSensorsAt0x29NeverShareTheBus) {
  ScriptedI2cBus bus;
  BusPort port(bus);
  bus.expect_write(I2cAddress{0x70}, {0x08});
  bus.expect_write(I2cAddress{0x70}, {0x08});  // again: a mux that browned out forgot it
  bus.expect_write(I2cAddress{0x70}, {0x00});  // close 0x70 before opening 0x71
  bus.expect_write(I2cAddress{0x71}, {0x01});
  bus.expect_write(I2cAddress{0x71}, {0x00});  // a sensor straight on the bus: close them all
  EXPECT_FALSE(port.route(MuxChannel{I2cAddress{0x70}, 3}));
  EXPECT_FALSE(port.route(MuxChannel{I2cAddress{0x70}, 3}));
  EXPECT_FALSE(port.route(MuxChannel{I2cAddress{0x71}, 0}));
  EXPECT_FALSE(port.route(std::nullopt));
  EXPECT_FALSE(port.route(std::nullopt));  // nothing left open: no traffic
}

TEST(BusPort, TreatsAMuxThatDidNotAcknowledgeAsPossiblyOpen) {
  ScriptedI2cBus bus;
  BusPort port(bus);
  bus.nack_write(I2cAddress{0x70}, {0x08});
  bus.expect_write(I2cAddress{0x70}, {0x00});
  bus.expect_write(I2cAddress{0x71}, {0x02});
  EXPECT_TRUE(port.route(MuxChannel{I2cAddress{0x70}, 3}));
  EXPECT_FALSE(port.route(MuxChannel{I2cAddress{0x71}, 1}));
}

}  // namespace
}  // namespace cyanrig::ledhw_testing
