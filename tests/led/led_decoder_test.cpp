#include "rig/led/led_decoder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <ostream>

#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Instant at_ms(double ms) {
  return run_start() + Duration{static_cast<Duration::rep>(ms * 1000)};
}

struct Expected {
  std::string state;
  Instant start;
};

// Names in order, each start within `tolerance` of the script's.
void expect_states(const std::vector<LedStateChange>& got, const std::vector<Expected>& want,
                   Duration tolerance = milliseconds(60)) {
  SCOPED_TRACE(describe(got));
  ASSERT_EQ(got.size(), want.size());
  for (std::size_t i = 0; i < want.size(); ++i) {
    EXPECT_EQ(got[i].state, want[i].state) << "state " << i;
    EXPECT_LE(std::abs(to_ms(got[i].start - want[i].start)), to_ms(tolerance)) << "start of state " << i;
    EXPECT_GE(got[i].recognised, got[i].start) << "state " << i;
  }
}

// ------------------------------------------------------------------------------------------------
// Every default signal, at the lowest and the highest brightness.

struct SignalCase {
  std::string state;
  float full;
};
void PrintTo(const SignalCase& c, std::ostream* os) {
  *os << c.state << " at " << c.full;
}

std::string case_name(const testing::TestParamInfo<SignalCase>& info) {
  return info.param.state + (info.param.full < 1.0F ? "_dim" : "_bright");
}

class EveryDefaultSignal : public testing::TestWithParam<SignalCase> {};

TEST_P(EveryDefaultSignal, IsNamedWithItsStartAndWithinOneAndAHalfPeriods) {
  const SignalCase& c = GetParam();
  const DefaultLedSignal* signal = find_default_led_signal(c.state);
  ASSERT_NE(signal, nullptr);
  LedScript script;
  script.show(seconds(1), "off").show(seconds(12), c.state).show(seconds(3), "off");
  SensorModel sensor;
  sensor.full = c.full;
  const auto states = decode(script.sample(sensor));
  expect_states(states, {{"off", at_ms(0)}, {c.state, at_ms(1000)}, {"off", script.went_dark(at_ms(13000))}});
  if (states.size() != 3) return;
  const Duration latency = states[1].recognised - states[1].start;
  const Duration allowed = signal->pattern == LedPattern::solid
                               ? LedDecoderOptions{}.solid_after + milliseconds(200)
                               : std::max<Duration>(signal->period * 3 / 2, milliseconds(300));
  EXPECT_LE(latency, allowed) << describe(states);
}

// Gray (1F1F1F) is 12% of full light: at brightness 0.2 that is 0.024, about the sensor noise of
// one sample, so it is tested from 0.5 up.
std::vector<SignalCase> every_default_signal() {
  std::vector<SignalCase> cases;
  for (const DefaultLedSignal& s : default_led_signals()) {
    if (s.state == "off") continue;
    const float dimmest = s.state == "solid_gray" ? 0.5F : 0.2F;
    for (const float full : {dimmest, 1.0F}) cases.push_back({std::string(s.state), full});
  }
  return cases;
}

INSTANTIATE_TEST_SUITE_P(LedDecoder, EveryDefaultSignal, testing::ValuesIn(every_default_signal()),
                         case_name);

// ------------------------------------------------------------------------------------------------
// Transitions.

TEST(LedDecoder, TypicalPowerUp) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(milliseconds(1050), "breathing_white")
      .show(milliseconds(3130), "blinking_green")
      .show(milliseconds(2270), "blinking_cyan")
      .show(milliseconds(2410), "fast_blinking_cyan")
      .show(seconds(10), "breathing_cyan");
  for (const float full : {0.2F, 1.0F}) {
    SCOPED_TRACE(full);
    SensorModel sensor;
    sensor.full = full;
    sensor.seed = 7;
    expect_states(decode(script.sample(sensor)),
                  {{"off", script.start_of(0)},
                   {"breathing_white", script.start_of(1)},
                   {"blinking_green", script.start_of(2)},
                   {"blinking_cyan", script.start_of(3)},
                   {"fast_blinking_cyan", script.start_of(4)},
                   {"breathing_cyan", script.start_of(5)}},
                  milliseconds(110));
  }
}

TEST(LedDecoder, BlinkingCyanWithRepeatedRedFlash) {
  LedScript script;
  const auto red = sim::LedSignal::flashes(Rgb::from_hex(0xFF0000), 1);
  script.show(milliseconds(700), "off")
      .show(milliseconds(2000), "blinking_cyan")
      .show(sim::flashes_length(1), red)
      .show(milliseconds(1900), "blinking_cyan")
      .show(sim::flashes_length(1), red)
      .show(milliseconds(2100), "blinking_cyan");
  const auto states = decode(script.sample({}));
  expect_states(states, {{"off", script.start_of(0)},
                         {"blinking_cyan", script.start_of(1)},
                         {"cloud_error", script.start_of(2)},
                         {"blinking_cyan", script.start_of(3)},
                         {"cloud_error", script.start_of(4)},
                         {"blinking_cyan", script.start_of(5)}});
  for (const std::size_t i : {2U, 4U}) {
    if (i >= states.size()) break;
    EXPECT_EQ(states[i].colour, "red");
    EXPECT_EQ(states[i].count, 1);
  }
}

class CloudErrorFlashes : public testing::TestWithParam<std::pair<std::uint32_t, int>> {};

TEST_P(CloudErrorFlashes, AreCountedWithTheirColour) {
  const auto [hex, count] = GetParam();
  LedScript script;
  script.show(milliseconds(600), "off")
      .show(milliseconds(1300), "fast_blinking_cyan")
      .show(sim::flashes_length(count), sim::LedSignal::flashes(Rgb::from_hex(hex), count))
      .show(milliseconds(2000), "blinking_cyan");
  SensorModel sensor;
  sensor.full = 0.3F;
  const auto states = decode(script.sample(sensor));
  expect_states(states, {{"off", script.start_of(0)},
                         {"fast_blinking_cyan", script.start_of(1)},
                         {"cloud_error", script.start_of(2)},
                         {"blinking_cyan", script.start_of(3)}});
  if (states.size() != 4) return;
  const std::string colour = hex == 0xFF0000 ? "red" : hex == 0xFF6000 ? "orange" : "magenta";
  EXPECT_EQ(states[2].colour, colour);
  EXPECT_EQ(states[2].count, count);
}

INSTANTIATE_TEST_SUITE_P(LedDecoder, CloudErrorFlashes,
                         testing::Values(std::pair{0xFF0000U, 1}, std::pair{0xFF00FFU, 1},
                                         std::pair{0xFF6000U, 1}, std::pair{0xFF6000U, 2},
                                         std::pair{0xFF6000U, 3}));

TEST(LedDecoder, SosThirteenThenOff) {
  LedScript script;
  const Duration play = sim::sos_play_length(13);
  script.show(seconds(1), "off")
      .show(seconds(3), "breathing_cyan")
      .show(2 * play, sim::LedSignal::sos(13))
      .show(seconds(3), "off");
  const auto states = decode(script.sample({}));
  // The last play ends with its 800 ms gap, so the dark begins after the last dash.
  expect_states(states, {{"off", script.start_of(0)},
                         {"breathing_cyan", script.start_of(1)},
                         {"sos", script.start_of(2)},
                         {"off", script.went_dark(script.start_of(3))}});
  if (states.size() == 4) {
    EXPECT_EQ(states[2].code, 13);
  }
}

class SosCodes : public testing::TestWithParam<int> {};

TEST_P(SosCodes, AreCountedExactly) {
  LedScript script;
  script.show(seconds(2), "off").show(sim::sos_play_length(GetParam()) * 2, sim::LedSignal::sos(GetParam()));
  SensorModel sensor;
  sensor.full = 0.2F;
  sensor.seed = 100 + static_cast<std::uint64_t>(GetParam());
  const auto states = decode(script.sample(sensor));
  expect_states(states, {{"off", script.start_of(0)}, {"sos", script.start_of(1)}});
  if (states.size() == 2) {
    EXPECT_EQ(states[1].code, GetParam());
  }
}

INSTANTIATE_TEST_SUITE_P(LedDecoder, SosCodes, testing::Values(1, 2, 8, 15));

// ------------------------------------------------------------------------------------------------
// Custom themes are never given a default name.

struct CustomCase {
  std::string name;
  sim::LedSignal signal;
  Rgb rgb;
  std::optional<double> period_ms;
};
void PrintTo(const CustomCase& c, std::ostream* os) {
  *os << c.name;
}

class CustomTheme : public testing::TestWithParam<CustomCase> {};

TEST_P(CustomTheme, IsUnknownWithMeasuredColourAndPeriod) {
  const CustomCase& c = GetParam();
  // After a default pattern, so the decoder has seen how bright the theme's light is.
  LedScript script;
  script.show(seconds(1), "off").show(seconds(2), "blinking_green").show(seconds(12), c.signal);
  const auto states = decode(script.sample({}));
  expect_states(
      states,
      {{"off", script.start_of(0)}, {"blinking_green", script.start_of(1)}, {"unknown", script.start_of(2)}},
      milliseconds(100));
  if (states.size() != 3) return;
  const LedStateChange& custom = states[2];
  ASSERT_TRUE(custom.rgb.has_value());
  EXPECT_NEAR(custom.rgb->r, c.rgb.r, 0.1);
  EXPECT_NEAR(custom.rgb->g, c.rgb.g, 0.1);
  EXPECT_NEAR(custom.rgb->b, c.rgb.b, 0.1);
  ASSERT_EQ(custom.period.has_value(), c.period_ms.has_value());
  if (c.period_ms) {
    EXPECT_NEAR(to_ms(*custom.period), *c.period_ms, *c.period_ms * 0.1);
  }
}

INSTANTIATE_TEST_SUITE_P(
    LedDecoder, CustomTheme,
    testing::Values(
        CustomCase{"breathing_cyan_2s", sim::LedSignal::breathe(Rgb::from_hex(0x00FFFF), seconds(2)),
                   Rgb{0, 1, 1}, 2000},
        CustomCase{"breathing_cyan_8s", sim::LedSignal::breathe(Rgb::from_hex(0x00FFFF), seconds(8)),
                   Rgb{0, 1, 1}, 8000},
        CustomCase{"blinking_purple", sim::LedSignal::blink(Rgb::from_hex(0x8000FF), milliseconds(200)),
                   Rgb{0.5F, 0, 1}, 200},
        CustomCase{"blinking_blue_docs_300_300",
                   sim::LedSignal::blink(Rgb::from_hex(0x0000FF), milliseconds(600)), Rgb{0, 0, 1}, 600},
        CustomCase{"blinking_green_1s", sim::LedSignal::blink(Rgb::from_hex(0x00FF00), milliseconds(1000)),
                   Rgb{0, 1, 0}, 1000},
        CustomCase{"solid_red", sim::LedSignal::solid(Rgb::from_hex(0xFF0000)), Rgb{1, 0, 0}, std::nullopt},
        CustomCase{"solid_white", sim::LedSignal::solid(Rgb::from_hex(0xFFFFFF)), Rgb{1, 1, 1},
                   std::nullopt}),
    [](const testing::TestParamInfo<CustomCase>& param) { return param.param.name; });

// ------------------------------------------------------------------------------------------------
// Scale, noise and stability.

TEST(LedDecoder, RawCountsDecodeLikeFloats) {
  LedScript script;
  script.show(seconds(1), "off").show(seconds(3), "blinking_green").show(seconds(6), "breathing_cyan");
  SensorModel sensor;
  sensor.counts = 20000;
  sensor.ambient = 0.05F;
  sensor.rate_hz = 100;
  expect_states(decode(script.sample(sensor)),
                {{"off", script.start_of(0)},
                 {"blinking_green", script.start_of(1)},
                 {"breathing_cyan", script.start_of(2)}},
                milliseconds(110));
}

TEST(LedDecoder, SteadyBreathingIsReportedOnce) {
  LedScript script;
  script.show(seconds(1), "off").show(seconds(120), "breathing_cyan");
  for (const float full : {0.2F, 1.0F}) {
    SensorModel sensor;
    sensor.full = full;
    sensor.noise = 0.03F;
    sensor.drop = 0.01;
    sensor.seed = 3;
    expect_states(decode(script.sample(sensor)),
                  {{"off", script.start_of(0)}, {"breathing_cyan", script.start_of(1)}}, milliseconds(110));
  }
}

class SteadyState : public testing::TestWithParam<std::string> {};

// A minute of one pattern, dim, noisy and with lost samples: one state, never flapping.
TEST_P(SteadyState, IsReportedOnce) {
  const std::string& state = GetParam();
  LedScript script;
  script.show(seconds(1), "off");
  if (state == "sos") {
    script.show(sim::sos_play_length(13) * 5, sim::LedSignal::sos(13));
  } else {
    script.show(seconds(60), state);
  }
  for (const double rate : {40.0, 50.0, 100.0}) {
    SCOPED_TRACE(rate);
    SensorModel sensor;
    sensor.rate_hz = rate;
    sensor.full = 0.3F;
    sensor.noise = 0.03F;
    sensor.drop = 0.01;
    sensor.seed = 11;
    const auto states = decode(script.sample(sensor));
    expect_states(states, {{"off", script.start_of(0)}, {state, script.start_of(1)}}, milliseconds(110));
  }
}

INSTANTIATE_TEST_SUITE_P(LedDecoder, SteadyState,
                         testing::Values("blinking_green", "fast_blinking_cyan", "blinking_blue",
                                         "blinking_yellow", "breathing_cyan", "breathing_white", "sos"));

TEST(LedDecoder, SlowAndFastSensorRates) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(seconds(2), "fast_blinking_magenta")
      .show(seconds(2), "blinking_yellow");
  for (const double rate : {40.0, 200.0}) {
    SCOPED_TRACE(rate);
    SensorModel sensor;
    sensor.rate_hz = rate;
    sensor.drop = 0.01;
    expect_states(decode(script.sample(sensor)), {{"off", script.start_of(0)},
                                                  {"fast_blinking_magenta", script.start_of(1)},
                                                  {"blinking_yellow", script.start_of(2)}});
  }
}

TEST(LedDecoder, SameSamplesGiveTheSameStatesWhateverTheBatches) {
  LedScript script;
  script.show(seconds(1), "off").show(seconds(3), "blinking_green").show(seconds(5), "breathing_cyan");
  const auto samples = script.sample({});
  LedDecoder whole;
  auto at_once = whole.feed(samples);
  for (auto& s : whole.finish()) at_once.push_back(std::move(s));
  EXPECT_EQ(describe(at_once), describe(decode(samples)));
}

// A device asleep for minutes after breathing cyan: the dark stays `off`, whatever the noise does
// over tens of thousands of samples (it once drifted until noise was named an unknown green light).
TEST(LedDecoder, MinutesOfDarknessAfterBreathingStayOff) {
  // Cut at a trough (a gradual fall), mid-ramp and at a peak (a step down), over several seeds.
  for (const auto breathing : {milliseconds(10000), milliseconds(11000), milliseconds(12000)}) {
    for (std::uint64_t seed = 1; seed <= 6; ++seed) {
      LedScript script;
      script.show(breathing, "breathing_cyan").show(std::chrono::minutes(6), sim::LedSignal::off());
      SensorModel sensor;
      sensor.seed = seed;
      const auto states = decode(script.sample(sensor));
      SCOPED_TRACE(describe(states));
      ASSERT_EQ(states.size(), 2U);
      EXPECT_EQ(states[0].state, "breathing_cyan");
      EXPECT_EQ(states[1].state, "off");
    }
  }
}

}  // namespace
}  // namespace cyanrig::test
