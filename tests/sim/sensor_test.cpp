// The simulated colour sensor reads what the device's LED animator emits.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <variant>

#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "rig/led/calibration.hpp"
#include "sim_rig.hpp"
#include "tests/support/temp_dir.hpp"

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
  // Default gain makes the default-brightness LED's dies read ~1.0 on their own channels; cyan lights
  // both green and blue, each a little more through the other's crosstalk, and red a little.
  EXPECT_GT(max_of(breathing, &RgbSample::g), 0.9F);
  EXPECT_LT(max_of(breathing, &RgbSample::g), 1.7F);
  EXPECT_GT(max_of(breathing, &RgbSample::b), 0.9F);
  EXPECT_LT(max_of(breathing, &RgbSample::r), 0.35F);
  EXPECT_LT(min_of(breathing, &RgbSample::g), 0.15F);  // the breath goes down to dark

  // Each sample is the animator's light at the sample's own time, through the device's own optics.
  const SimSensorSettings defaults;
  const OpticalPath optics(defaults.optics_for(rig.id("lit").str()), static_cast<float>(defaults.gain),
                           static_cast<float>(defaults.ambient));
  const StatusLed& led = rig.device("lit").led();
  for (const RgbSample& s : breathing) {
    const Rgb want = optics.reading(led.emitted(s.t), s.t);
    EXPECT_NEAR(s.g, want.g, 0.08F);
    EXPECT_NEAR(s.r, std::max(0.0F, want.r), 0.08F);
  }

  // Dark: the room light (and the infrared that leaks in), ~0.03.
  const auto unlit = dark.since(run_start());
  EXPECT_NEAR(static_cast<double>(unlit.size()) / to_seconds(rig.now() - run_start()), 100 * 0.995, 2);
  EXPECT_NEAR(mean_of(unlit, &RgbSample::g), 0.03F, 0.015F);
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

// gone_after: an I2C sensor unplugged mid-run. Samples up to that moment, then none, and one fault
// saying why; started again, the sensor is still gone.
TEST(SimColourSensor, AnUnpluggedSensorDeliversNothingMoreAndSaysWhyOnce) {
  SimRig rig({{.name = "dut", .platform = "argon", .led_params = "gone_after: 3s"}});
  rig.advance(seconds(1));
  const Instant started = rig.now();
  Capture capture;
  std::vector<std::pair<Instant, std::string>> faults;
  ColourSensor::Listener listener = capture.listener();
  listener.on_fault = [&](const HardwareFault& f) { faults.emplace_back(rig.now(), f.message); };
  rig.sensor("dut").start(listener);
  rig.advance(seconds(10));

  ASSERT_FALSE(capture.samples.empty());
  EXPECT_LE(capture.samples.back().t, started + seconds(3)) << "a sample after the sensor was gone";
  EXPECT_GE(capture.samples.back().t, started + seconds(3) - milliseconds(50)) << "samples stopped early";
  ASSERT_EQ(faults.size(), 1U);
  EXPECT_GE(faults[0].first, started + seconds(3));
  EXPECT_LE(faults[0].first, started + seconds(3) + milliseconds(200)) << "reported a batch late";
  EXPECT_EQ(
      faults[0].second,
      "no answer at 0x29 (sensor unplugged?): its reads fail from 3s after it started (simulated fault)");

  const std::size_t samples = capture.samples.size();
  rig.sensor("dut").stop();
  rig.sensor("dut").start(listener);
  rig.advance(seconds(2));
  EXPECT_EQ(capture.samples.size(), samples);
  EXPECT_EQ(faults.size(), 2U) << "started again, it says once more that it is gone";

  Diagnostics diags;
  EXPECT_FALSE(SimSensorSettings::read(sim_spec("gone_after: soon"), diags).gone_after);
  EXPECT_EQ(diags.size(), 1U);
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

// A calibration in the rack's file (here the sensor's `calibration` parameter) gives the device's
// sensor the colour correction that turns its readings into the canonical sensor's, for the decoder;
// the samples stay raw. A device without an entry has none.
TEST(SimColourSensor, HonoursTheRacksCalibrationFile) {
  const test::TempDir dir("cyanrig-sim-cal");
  const std::string file = (dir.path() / "cal.yaml").string();
  const std::string params = "noise: 0, calibration: " + file;
  SimRig rig({{.name = "calibrated", .platform = "argon", .led_params = params},
              {.name = "raw", .platform = "argon", .led_params = params}});

  // What `cyanrig led calibrate --primaries probe` would measure: the model's own readings.
  const SimSensorSettings settings;
  const OpticalPath optics(settings.optics_for(rig.id("calibrated").str()), static_cast<float>(settings.gain),
                           static_cast<float>(settings.ambient));
  const auto level = [&](Rgb dies) {
    const Rgb x = optics.reading(dies.scaled(96.0F / 255.0F), run_start());
    return ChannelLevels{x.r, x.g, x.b, -1};
  };
  LedCalibrations cals;
  LedCalibration& cal = cals.entry("calibrated");
  cal.dark = level({0, 0, 0});
  cal.primaries = Primaries{level({1, 0, 0}), level({0, 1, 0}), level({0, 0, 1})};
  cal.correction = std::get<ChannelMatrix>(colour_correction(*cal.dark, *cal.primaries));
  ASSERT_EQ(cals.save(file), std::nullopt);

  // A new rig reads the file when it builds the sensors.
  SimRig lab({{.name = "calibrated", .platform = "argon", .led_params = params},
              {.name = "raw", .platform = "argon", .led_params = params}});
  EXPECT_NE(lab.sensor("calibrated").describe().find("calibrated"), std::string::npos);
  EXPECT_EQ(lab.sensor("raw").describe().find("calibrated"), std::string::npos);
  EXPECT_FALSE(lab.sensor("raw").colour_correction().has_value());
  const std::optional<ChannelMatrix> correction = lab.sensor("calibrated").colour_correction();
  ASSERT_TRUE(correction.has_value());
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j) {
      EXPECT_NEAR(correction->rows[i][j], cal.correction->rows[i][j], 1e-5F) << i << "," << j;  // via YAML
    }
  }
  Capture calibrated;
  lab.sensor("calibrated").start(calibrated.listener());
  lab.power("calibrated", PowerState::on);
  ASSERT_TRUE(lab.wait_for_line("calibrated", "Cloud connected", minutes(1)));
  lab.advance(seconds(1));
  const Instant from = lab.now();
  lab.advance(seconds(8));

  // The samples are the sensor's own: breathing cyan's peaks read its optics' cyan, which the
  // correction turns into the canonical sensor's (crosstalk, gains and dies undone).
  const auto peaks = calibrated.since(from);
  const Rgb peak{max_of(peaks, &RgbSample::r), max_of(peaks, &RgbSample::g), max_of(peaks, &RgbSample::b)};
  const Rgb raw_cyan = optics.reading(Rgb{0, 1, 1}.scaled(96.0F / 255.0F), run_start());
  EXPECT_NEAR(peak.g, raw_cyan.g, 0.05F);
  EXPECT_NEAR(peak.b, raw_cyan.b, 0.05F);
  const Rgb corrected = *correction * (peak - cal.dark->rgb());
  const Rgb want = kCanonicalSensor * Rgb{0, 1, 1};
  EXPECT_NEAR(corrected.g, want.g, 0.05F);
  EXPECT_NEAR(corrected.b, want.b, 0.05F);
  EXPECT_NEAR(corrected.r, want.r, 0.05F);
}

TEST(SimColourSensor, ABrokenCalibrationFileIsReportedWhenTheRackIsValidated) {
  const test::TempDir dir("cyanrig-sim-cal");
  const std::string file = (dir.path() / "cal.yaml").string();
  std::ofstream(file) << "devices:\n  argon-1:\n    dark: {r: 1, g: x, b: 3}\n";
  Diagnostics diags;
  sim_led_backend().validate({sim_spec("calibration: " + file), nullptr}, diags);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_EQ(diags.items()[0].loc.file, file);
  EXPECT_EQ(diags.items()[0].loc.line, 3);
}

TEST(SimColourSensor, OpticsAreAVariantOrTheDevicesOwn) {
  Diagnostics diags;
  EXPECT_EQ(SimSensorSettings::read(sim_spec("optics: crosstalk_high"), diags).optics, "crosstalk_high");
  EXPECT_TRUE(diags.empty());
  SimSensorSettings::read(sim_spec("optics: foggy"), diags);
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_NE(diags.items()[0].message.find("crosstalk_high"), std::string::npos) << diags.items()[0].message;

  // A device keeps its own optics from run to run; another device has others.
  const SimSensorSettings settings;
  const LedOptics a = settings.optics_for("e00fce68aaaaaaaaaaaaaaaa");
  EXPECT_EQ(a.crosstalk, settings.optics_for("e00fce68aaaaaaaaaaaaaaaa").crosstalk);
  EXPECT_NE(a.crosstalk, settings.optics_for("e00fce68bbbbbbbbbbbbbbbb").crosstalk);
  EXPECT_GE(a.crosstalk, 0.6F);
  EXPECT_LE(a.crosstalk, 1.4F);
}

}  // namespace
}  // namespace cyanrig::sim::testing
