// The simulated colour sensor reads what the device's LED animator emits.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "sim_rig.hpp"

namespace cyanrig::sim::testing {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

struct Capture {
  std::vector<RgbSample> samples;
  std::size_t batches = 0;
  ColourSensor::Listener listener() {
    return {.on_samples =
                [this](std::span<const RgbSample> s) {
                  samples.insert(samples.end(), s.begin(), s.end());
                  ++batches;
                },
            .on_fault = {}};
  }
  std::vector<RgbSample> since(Instant t) const {
    std::vector<RgbSample> out;
    std::copy_if(samples.begin(), samples.end(), std::back_inserter(out),
                 [t](const RgbSample& s) { return s.t >= t; });
    return out;
  }
};

float max_of(const std::vector<RgbSample>& s, float RgbSample::*channel) {
  float m = 0;
  for (const RgbSample& x : s) m = std::max(m, x.*channel);
  return m;
}

float min_of(const std::vector<RgbSample>& s, float RgbSample::*channel) {
  float m = 1e9F;
  for (const RgbSample& x : s) m = std::min(m, x.*channel);
  return m;
}

float mean_of(const std::vector<RgbSample>& s, float RgbSample::*channel) {
  double sum = 0;
  for (const RgbSample& x : s) sum += x.*channel;
  return static_cast<float>(sum / static_cast<double>(s.size()));
}

TEST(SimColourSensor, SeesBrightCyanAtTheBreathingPeaksAndDarknessWhenOff) {
  SimRig rig({{.name = "lit", .platform = "argon", .led_params = ""},
              {.name = "dark", .platform = "argon", .led_params = "rate_hz: 100"}});
  Capture lit;
  Capture dark;
  rig.sensor("lit").start(lit.listener());
  rig.sensor("dark").start(dark.listener());
  rig.power("lit", PowerState::on);
  ASSERT_TRUE(rig.wait_for_line("lit", "Cloud connected", minutes(1)));
  rig.advance(seconds(1));
  const Instant from = rig.now();
  rig.advance(seconds(8));

  const auto breathing = lit.since(from);
  // 50 Hz for 8 s, 0.5% dropped.
  EXPECT_NEAR(static_cast<double>(breathing.size()), 8 * 50 * 0.995, 8);
  // Default gain makes the default-brightness LED read ~1.0 at full, plus 0.03 ambient.
  EXPECT_GT(max_of(breathing, &RgbSample::g), 0.9F);
  EXPECT_LT(max_of(breathing, &RgbSample::g), 1.15F);
  EXPECT_GT(max_of(breathing, &RgbSample::b), 0.9F);
  EXPECT_LT(max_of(breathing, &RgbSample::r), 0.15F);
  EXPECT_LT(min_of(breathing, &RgbSample::g), 0.15F);  // the breath goes down to dark

  // Each sample is the animator's light at the sample's own time, through the sensor model.
  const StatusLed& led = rig.device("lit").led();
  for (const RgbSample& s : breathing) {
    const Rgb e = led.emitted(s.t);
    EXPECT_NEAR(s.g, e.g * 255.0F / 96.0F + 0.03F, 0.08F);
    EXPECT_NEAR(s.r, std::max(0.0F, e.r * 255.0F / 96.0F + 0.03F), 0.08F);
  }

  const auto unlit = dark.since(run_start());
  EXPECT_NEAR(static_cast<double>(unlit.size()) / to_seconds(rig.now() - run_start()), 100 * 0.995, 2);
  EXPECT_NEAR(mean_of(unlit, &RgbSample::g), 0.03F, 0.005F);
  EXPECT_LT(max_of(unlit, &RgbSample::g), 0.12F);
  EXPECT_LT(max_of(unlit, &RgbSample::r), 0.12F);
}

TEST(SimColourSensor, DeliversTimeOrderedBatchesEvery200ms) {
  SimRig rig({{.name = "dut", .platform = "p2", .led_params = "rate_hz: 200, noise: 0, ambient: 0"}});
  Capture capture;
  rig.sensor("dut").start(capture.listener());
  rig.advance(seconds(10) + milliseconds(1));
  EXPECT_EQ(capture.batches, 50U);
  const Duration interval = milliseconds(5);
  for (std::size_t i = 1; i < capture.samples.size(); ++i) {
    const Duration gap = capture.samples[i].t - capture.samples[i - 1].t;
    EXPECT_GE(gap, interval * 0.95);  // at most 5% jitter
    EXPECT_LE(gap, interval * 2.05);  // or one dropped sample
  }
  EXPECT_EQ(max_of(capture.samples, &RgbSample::b), 0.0F);  // no noise, no ambient, no light

  rig.sensor("dut").stop();
  const std::size_t stopped_at = capture.batches;
  rig.advance(seconds(1));
  EXPECT_EQ(capture.batches, stopped_at);
}

TEST(SimColourSensor, SettingsAreCheckedWithTheirPosition) {
  Diagnostics diags;
  const auto settings = SimSensorSettings::read(sim_spec("rate_hz: 10, noise: 0.05, glow: 2"), diags);
  ASSERT_EQ(diags.size(), 2U);
  EXPECT_NE(diags.items()[0].message.find("rate_hz"), std::string::npos);
  EXPECT_NE(diags.items()[1].message.find("unknown field 'glow'"), std::string::npos);
  EXPECT_EQ(diags.items()[1].loc.file, "rack.yaml");
  EXPECT_EQ(diags.items()[1].loc.line, 1);
  EXPECT_EQ(settings.rate_hz, 50);  // the default stands in for the bad value
  EXPECT_EQ(settings.noise, 0.05);

  Diagnostics clean;
  const auto defaults = SimSensorSettings::read(sim_spec(), clean);
  EXPECT_TRUE(clean.empty());
  EXPECT_EQ(defaults.gain, 255.0 / 96.0);
  EXPECT_EQ(defaults.ambient, 0.03);
}

}  // namespace
}  // namespace cyanrig::sim::testing
