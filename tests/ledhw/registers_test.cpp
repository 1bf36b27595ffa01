// The TCS34725 and TCA9548A encodings, checked against the datasheet values.
#include <gtest/gtest.h>

#include "drivers/led/tcs34725/tca9548a.hpp"
#include "drivers/led/tcs34725/tcs34725_poller.hpp"
#include "drivers/led/tcs34725/tcs34725_registers.hpp"

namespace cyanrig {
namespace {

using namespace tcs34725;
using std::chrono::microseconds;
using std::chrono::milliseconds;

TEST(Tcs34725Registers, CommandBytesSetTheCommandBitAndAutoIncrementForBursts) {
  EXPECT_EQ(command(Register::enable), 0x80);
  EXPECT_EQ(command(Register::atime), 0x81);
  EXPECT_EQ(command(Register::control), 0x8F);
  EXPECT_EQ(command(Register::id), 0x92);
  EXPECT_EQ(auto_increment(Register::cdata), 0xB4);
  EXPECT_EQ(auto_increment(Register::status), 0xB3);
}

TEST(Tcs34725Registers, AcceptsOnlyTheFamilyIds) {
  EXPECT_TRUE(is_tcs3472x_id(0x44));
  EXPECT_TRUE(is_tcs3472x_id(0x4D));
  EXPECT_FALSE(is_tcs3472x_id(0x00));
  EXPECT_FALSE(is_tcs3472x_id(0xFF));
  EXPECT_FALSE(is_tcs3472x_id(0x12));
}

TEST(Tcs34725Integration, CountsCyclesOf2400MicrosecondsFromAtime) {
  EXPECT_EQ(Integration{1}.atime(), 0xFF);
  EXPECT_EQ(Integration{10}.atime(), 0xF6);  // 24 ms
  EXPECT_EQ(Integration{256}.atime(), 0x00);
  EXPECT_EQ(Integration{10}.duration(), milliseconds(24));
  EXPECT_EQ(Integration{256}.duration(), microseconds(614400));
}

TEST(Tcs34725Integration, RoundsToTheNearestCycleWithinTheChipsRange) {
  EXPECT_EQ(Integration::nearest(milliseconds(24)).cycles, 10);
  EXPECT_EQ(Integration::nearest(milliseconds(5)).cycles, 2);
  EXPECT_EQ(Integration::nearest(microseconds(3700)).cycles, 2);
  EXPECT_EQ(Integration::nearest(microseconds(3500)).cycles, 1);
  EXPECT_EQ(Integration::nearest(microseconds(100)).cycles, 1);
  EXPECT_EQ(Integration::nearest(std::chrono::seconds(2)).cycles, 256);
}

TEST(Tcs34725Integration, FullScaleIs1024CountsPerCycleCappedAt16Bits) {
  EXPECT_EQ(Integration{1}.max_count(), 1024);
  EXPECT_EQ(Integration{10}.max_count(), 10240);
  EXPECT_EQ(Integration{64}.max_count(), 65535);
  EXPECT_EQ(Integration{256}.max_count(), 65535);
}

TEST(Tcs34725Gain, EncodesParsesAndStepsThroughTheFourGains) {
  EXPECT_EQ(control_byte(Gain::x1), 0);
  EXPECT_EQ(control_byte(Gain::x60), 3);
  EXPECT_EQ(multiplier(Gain::x16), 16);
  EXPECT_EQ(parse_gain("4x"), Gain::x4);
  EXPECT_EQ(parse_gain("8x"), std::nullopt);
  EXPECT_EQ(gain_below(Gain::x1), std::nullopt);
  EXPECT_EQ(gain_below(Gain::x4), Gain::x1);
  EXPECT_EQ(gain_above(Gain::x16), Gain::x60);
  EXPECT_EQ(gain_above(Gain::x60), std::nullopt);
}

TEST(Tcs34725Burst, DecodesClearRedGreenBlueLowByteFirst) {
  const std::array<std::uint8_t, 8> bytes = {0x34, 0x12, 0x01, 0x00, 0xFF, 0xFF, 0x00, 0x80};
  EXPECT_EQ(decode_crgb(bytes), (Crgb{0x1234, 0x0001, 0xFFFF, 0x8000}));
}

TEST(Tcs34725Saturation, StartsAtThreeQuartersOfFullScaleBelow150Ms) {
  // 24 ms: full scale 10240, ripple saturation at 7680.
  EXPECT_EQ(saturation_count(Integration{10}), 7680);
  EXPECT_FALSE(is_saturated({7679, 0, 0, 0}, Integration{10}));
  EXPECT_TRUE(is_saturated({7680, 0, 0, 0}, Integration{10}));
  // 154 ms and longer: the 16-bit register is the limit.
  EXPECT_EQ(saturation_count(Integration{64}), 65535);
}

TEST(Tcs34725AutoGain, StepsDownWhenSaturatedAndUpOnlyWithHeadroom) {
  const Integration i{2};                              // 4.8 ms: saturates at 1536
  EXPECT_EQ(next_gain(Gain::x16, 1536, i), Gain::x4);  // saturated
  EXPECT_EQ(next_gain(Gain::x1, 2048, i), std::nullopt);
  EXPECT_EQ(next_gain(Gain::x4, 191, i), Gain::x16);  // 191 * 4 = 764 < 768
  EXPECT_EQ(next_gain(Gain::x4, 192, i), std::nullopt);
  EXPECT_EQ(next_gain(Gain::x16, 204, i), Gain::x60);  // 204 * 60 / 16 = 765 < 768
  EXPECT_EQ(next_gain(Gain::x16, 205, i), std::nullopt);
  EXPECT_EQ(next_gain(Gain::x60, 10, i), std::nullopt);
}

TEST(Tcs34725Sample, IsCountsPerCycleAt1xSoGainAndIntegrationDoNotShow) {
  const Tcs34725Reading at16x{Instant{}, {3200, 1600, 800, 320}, Gain::x16, Integration{10}};
  const Tcs34725Reading at4x{Instant{}, {800, 400, 200, 80}, Gain::x4, Integration{10}};
  for (const auto& reading : {at16x, at4x}) {
    const RgbSample s = to_sample(reading);
    EXPECT_FLOAT_EQ(s.c, 20.0F);
    EXPECT_FLOAT_EQ(s.r, 10.0F);
    EXPECT_FLOAT_EQ(s.g, 5.0F);
    EXPECT_FLOAT_EQ(s.b, 2.0F);
  }
}

TEST(Tca9548a, SelectsOneChannelPerBitAt0x70To0x77) {
  EXPECT_EQ(tca9548a::channel_byte(0), 0x01);
  EXPECT_EQ(tca9548a::channel_byte(3), 0x08);
  EXPECT_EQ(tca9548a::channel_byte(7), 0x80);
  EXPECT_TRUE(tca9548a::is_mux_address(I2cAddress{0x70}));
  EXPECT_TRUE(tca9548a::is_mux_address(I2cAddress{0x77}));
  EXPECT_FALSE(tca9548a::is_mux_address(I2cAddress{0x29}));
}

}  // namespace
}  // namespace cyanrig
