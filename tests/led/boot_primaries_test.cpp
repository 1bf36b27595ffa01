// The LED's primaries learned from a device's boot (rig/led/boot_primaries): through every optical
// variant, what the boot teaches must correct the sensor as well as measuring each die alone does.
#include "rig/led/boot_primaries.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <variant>

#include "rig/led/led_decoder.hpp"
#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr float kDefaultBrightness = 96.0F / 255.0F;

// Power-up as the simulated devices show it (particle-reference.md section 2).
LedScript boot() {
  LedScript script;
  script.show(seconds(1), "off")
      .show(milliseconds(1040), "breathing_white")
      .show(seconds(3), "blinking_green")
      .show(seconds(2), "blinking_cyan")
      .show(seconds(1), "fast_blinking_cyan")
      .show(seconds(5), "breathing_cyan");
  return script;
}

ChannelLevels mean_before(const std::vector<RgbSample>& samples, Instant until) {
  std::vector<RgbSample> dark;
  std::copy_if(samples.begin(), samples.end(), std::back_inserter(dark),
               [&](const RgbSample& s) { return s.t < until - milliseconds(100); });
  return mean_levels(dark);
}

class BootPrimaries : public testing::TestWithParam<sim::OpticsVariant> {};

TEST_P(BootPrimaries, CorrectTheSensorAsMeasuringEachDieDoes) {
  const sim::OpticsVariant& variant = GetParam();
  for (const double rate : {50.0, 200.0}) {
    SCOPED_TRACE(testing::Message() << rate << " Hz");
    SensorModel sensor;
    sensor.rate_hz = rate;
    sensor.optics = variant.optics;
    sensor.full = 0.6F;
    sensor.noise = 0.01F;
    sensor.drop = 0;
    const LedScript script = boot();
    const std::vector<RgbSample> samples = script.sample(sensor);
    const std::vector<LedStateChange> states = decode(samples);
    SCOPED_TRACE(describe(states));
    const ChannelLevels dark = mean_before(samples, script.start_of(1));
    const auto learned = learn_primaries_from_boot(samples, states, dark);
    ASSERT_TRUE(std::holds_alternative<LearnedPrimaries>(learned)) << std::get<std::string>(learned);
    const LearnedPrimaries& got = std::get<LearnedPrimaries>(learned);

    LedCalibration cal;
    cal.dark = dark;
    auto correction = colour_correction(dark, got.primaries);
    ASSERT_TRUE(std::holds_alternative<ChannelMatrix>(correction)) << std::get<std::string>(correction);
    cal.correction = std::get<ChannelMatrix>(correction);
    // Each die, white and orange, as the model emits them, read through the learned correction:
    // the canonical sensor's reading of them.
    const sim::OpticalPath optics(sensor.optics, sensor.full / kDefaultBrightness, sensor.ambient);
    for (const Rgb dies : {Rgb{1, 0, 0}, Rgb{0, 1, 0}, Rgb{0, 0, 1}, Rgb{1, 1, 1}, Rgb{1, 0.376F, 0}}) {
      const Rgb x = optics.reading(dies.scaled(kDefaultBrightness), run_start());
      const RgbSample s = calibrated(cal, {run_start(), x.r, x.g, x.b, -1});
      const Rgb want = kCanonicalSensor * dies;
      EXPECT_NEAR(s.r, want.r, 0.06) << dies.r << " " << dies.g << " " << dies.b;
      EXPECT_NEAR(s.g, want.g, 0.06) << dies.r << " " << dies.g << " " << dies.b;
      EXPECT_NEAR(s.b, want.b, 0.06) << dies.r << " " << dies.g << " " << dies.b;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(LedCalibration, BootPrimaries,
                         testing::ValuesIn(sim::optics_variants().begin(), sim::optics_variants().end()),
                         [](const testing::TestParamInfo<sim::OpticsVariant>& v) {
                           return std::string(v.param.name);
                         });

TEST(BootPrimaries, SayWhatTheBootDidNotShow) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(milliseconds(1040), "breathing_white")
      .show(seconds(6), "blinking_green");
  const std::vector<RgbSample> samples = script.sample({});
  const auto learned =
      learn_primaries_from_boot(samples, decode(samples), mean_before(samples, script.start_of(1)));
  ASSERT_TRUE(std::holds_alternative<std::string>(learned));
  EXPECT_NE(std::get<std::string>(learned).find("no blinking cyan"), std::string::npos)
      << std::get<std::string>(learned);
}

}  // namespace
}  // namespace cyanrig::test
