// The LED calibration: normalising samples, measuring references, and the calibration file.
#include "rig/led/calibration.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;

LedCalibration calibration() {
  LedCalibration cal;
  cal.dark = ChannelLevels{1, 2, 3, 10};
  cal.white = ChannelLevels{11, 42, 53, 210};
  return cal;
}

TEST(LedCalibration, NormalisesEachChannelFromDarkToWhite) {
  const RgbSample s = normalise(calibration(), {Instant{std::chrono::milliseconds(7)}, 6, 42, 3, 110});
  EXPECT_EQ(s.t, Instant{std::chrono::milliseconds(7)});
  EXPECT_FLOAT_EQ(s.r, 0.5F);
  EXPECT_FLOAT_EQ(s.g, 1.0F);
  EXPECT_FLOAT_EQ(s.b, 0.0F);
  EXPECT_FLOAT_EQ(s.c, 0.5F);
}

TEST(LedCalibration, ClampsBelowDarkButNotAboveWhite) {
  const RgbSample s = normalise(calibration(), {Instant{}, 0.5F, 82, 3, 5});
  EXPECT_FLOAT_EQ(s.r, 0.0F);
  EXPECT_FLOAT_EQ(s.g, 2.0F);  // an application driving the LED brighter than the reference
  EXPECT_FLOAT_EQ(s.c, 0.0F);
}

TEST(LedCalibration, LeavesTheClearChannelOutWhenTheSensorHasNone) {
  LedCalibration cal = calibration();
  cal.dark->c = -1;
  cal.white->c = -1;
  EXPECT_LT(normalise(cal, {Instant{}, 6, 42, 3, 110}).c, 0);
  EXPECT_LT(normalise(calibration(), {Instant{}, 6, 42, 3, -1}).c, 0);
}

std::vector<RgbSample> breathing_white() {
  // A triangle from full to nothing and back, on a dark level of 1.
  std::vector<RgbSample> out;
  for (int i = 0; i <= 100; ++i) {
    const float level = static_cast<float>(std::abs(50 - i)) / 50.0F;
    out.push_back(
        {Instant{std::chrono::milliseconds(10 * i)}, 1 + 20 * level, 1 + 30 * level, 1 + 40 * level, -1});
  }
  return out;
}

TEST(LedCalibrationMeasure, DarkIsTheMeanOfAllSamples) {
  const std::vector<RgbSample> samples = {{Instant{}, 1, 2, 3, 4}, {Instant{}, 3, 4, 5, 6}};
  const ChannelLevels dark = mean_levels(samples);
  EXPECT_FLOAT_EQ(dark.r, 2);
  EXPECT_FLOAT_EQ(dark.b, 4);
  EXPECT_FLOAT_EQ(dark.c, 5);
}

TEST(LedCalibrationMeasure, WhiteIsTakenFromThePeaksOfABreath) {
  const ChannelLevels white = brightest_levels(breathing_white());
  // Samples within 10% of the brightest: the top of the triangle, averaging ~95% of full.
  EXPECT_NEAR(white.r, 1 + 20 * 0.95, 0.3);
  EXPECT_NEAR(white.b, 1 + 40 * 0.95, 0.6);
  EXPECT_LT(white.c, 0);
}

TEST(LedCalibrationMeasure, RefusesAWhiteThatIsNotBrighterThanDarkOnEveryChannel) {
  const ChannelLevels dark{1, 1, 1, -1};
  EXPECT_EQ(reference_problem(dark, {30, 30, 30, -1}), std::nullopt);
  const auto problem = reference_problem(dark, {30, 30, 1.1F, -1});  // green was showing, not white
  ASSERT_TRUE(problem);
  EXPECT_NE(problem->find("blue channel"), std::string::npos) << *problem;
}

class CalibrationFile : public ::testing::Test {
 protected:
  std::string path(const char* name) const { return (dir_ / name).string(); }
  void write(const char* name, const std::string& text) const { std::ofstream(dir_ / name) << text; }

  test::TempDir temp_{"cyanrig-cal"};
  const fs::path& dir_ = temp_.path();
};

TEST_F(CalibrationFile, ThatDoesNotExistYetIsEmpty) {
  Diagnostics diags;
  const auto file = LedCalibrations::load(path("none.yaml"), diags);
  ASSERT_TRUE(file);
  EXPECT_TRUE(file->devices().empty());
}

TEST_F(CalibrationFile, RoundTripsAndKeepsOtherDevicesEntries) {
  LedCalibrations cals;
  cals.entry("argon-3") = calibration();
  cals.entry("argon-3").dark_at = "2024-05-02T09:14:03Z";
  cals.entry("boron-1").dark = ChannelLevels{0.25F, 0.5F, 0.125F, -1};
  ASSERT_EQ(cals.save(path("cal.yaml")), std::nullopt);

  Diagnostics diags;
  auto loaded = LedCalibrations::load(path("cal.yaml"), diags);
  ASSERT_TRUE(loaded) << diags.items().front().to_string();
  const LedCalibration* argon = loaded->find("argon-3");
  ASSERT_TRUE(argon && argon->complete());
  EXPECT_FLOAT_EQ(argon->white->g, 42);
  EXPECT_FLOAT_EQ(argon->dark->c, 10);
  EXPECT_EQ(argon->dark_at, "2024-05-02T09:14:03Z");
  const LedCalibration* boron = loaded->find("boron-1");
  ASSERT_TRUE(boron);
  EXPECT_FALSE(boron->complete());
  EXPECT_LT(boron->dark->c, 0);

  // Recalibrating one device rewrites only its entry.
  loaded->entry("boron-1").white = ChannelLevels{5, 6, 7, -1};
  ASSERT_EQ(loaded->save(path("cal.yaml")), std::nullopt);
  auto again = LedCalibrations::load(path("cal.yaml"), diags);
  ASSERT_TRUE(again);
  EXPECT_TRUE(again->find("boron-1")->complete());
  EXPECT_FLOAT_EQ(again->find("argon-3")->white->b, 53);
  EXPECT_FALSE(fs::exists(path("cal.yaml.tmp")));
}

TEST_F(CalibrationFile, MistakesAreReportedAtTheirPosition) {
  write("bad.yaml",
        "devices:\n"
        "  argon-3:\n"
        "    dark: {r: 1, g: x, b: 3}\n"
        "    whit: {r: 1, g: 2, b: 3}\n");
  Diagnostics diags;
  EXPECT_FALSE(LedCalibrations::load(path("bad.yaml"), diags));
  ASSERT_EQ(diags.size(), 2U);
  EXPECT_EQ(diags.items()[0].loc.line, 3);
  EXPECT_NE(diags.items()[0].message.find("'g'"), std::string::npos) << diags.items()[0].message;
  EXPECT_EQ(diags.items()[1].loc.line, 4);
  EXPECT_NE(diags.items()[1].message.find("white"), std::string::npos) << diags.items()[1].message;
}

TEST_F(CalibrationFile, RefusesAWhiteNoBrighterThanDarkWhichWouldDivideByZero) {
  write("flat.yaml",
        "devices:\n"
        "  argon-3:\n"
        "    dark: {r: 1, g: 1, b: 1}\n"
        "    white: {r: 9, g: 1, b: 9}\n");
  Diagnostics diags;
  EXPECT_FALSE(LedCalibrations::load(path("flat.yaml"), diags));
  ASSERT_EQ(diags.size(), 1U);
  EXPECT_EQ(diags.items()[0].loc.line, 3);
  EXPECT_NE(diags.items()[0].message.find("green channel"), std::string::npos) << diags.items()[0].message;
}

TEST_F(CalibrationFile, SyntaxErrorsAreReportedByTheParser) {
  write("broken.yaml", "devices: {argon-3: [\n");
  Diagnostics diags;
  EXPECT_FALSE(LedCalibrations::load(path("broken.yaml"), diags));
  ASSERT_FALSE(diags.empty());
  EXPECT_EQ(diags.items()[0].loc.file, path("broken.yaml"));
}

}  // namespace
}  // namespace cyanrig
