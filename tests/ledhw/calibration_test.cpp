// The LED calibration: calibrating samples, measuring references, the colour correction made of the
// primaries, and the calibration file.
#include "rig/led/calibration.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <variant>

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
  const RgbSample s = calibrated(calibration(), {Instant{std::chrono::milliseconds(7)}, 6, 42, 3, 110});
  EXPECT_EQ(s.t, Instant{std::chrono::milliseconds(7)});
  EXPECT_FLOAT_EQ(s.r, 0.5F);
  EXPECT_FLOAT_EQ(s.g, 1.0F);
  EXPECT_FLOAT_EQ(s.b, 0.0F);
  EXPECT_FLOAT_EQ(s.c, 0.5F);
}

// Light below the dark reference keeps its value: clamping it at 0 would fold the noise of a dark
// LED (and of a room darker than when it was calibrated) into a biased, quieter dark level.
TEST(LedCalibration, NeitherClampsBelowDarkNorAboveWhite) {
  const RgbSample s = calibrated(calibration(), {Instant{}, 0.5F, 82, 3, 5});
  EXPECT_FLOAT_EQ(s.r, -0.05F);
  EXPECT_FLOAT_EQ(s.g, 2.0F);  // an application driving the LED brighter than the reference
  EXPECT_FLOAT_EQ(s.c, -0.025F);
}

// A sensor whose channels see each other's dies (the datasheet's crosstalk at 1.4x) and whose dies
// differ: the primaries measured one at a time.
Primaries primaries_of(const ChannelMatrix& response, Rgb dark) {
  auto level = [&](Rgb dies) {
    const Rgb x = response * dies + dark;
    return ChannelLevels{x.r, x.g, x.b, -1};
  };
  return {level({1, 0, 0}), level({0, 1, 0}), level({0, 0, 1})};
}

TEST(LedCalibration, ColourCorrectionMapsTheSensorOntoTheCanonicalOne) {
  const ChannelMatrix response =
      kTcs34725Crosstalk.crosstalk_scaled(1.4F).columns_scaled({0.9F, 1.2F, 1.05F});
  const Rgb dark{0.02F, 0.03F, 0.025F};
  LedCalibration cal;
  cal.dark = ChannelLevels{dark.r, dark.g, dark.b, -1};
  auto made = colour_correction(*cal.dark, primaries_of(response, dark));
  ASSERT_TRUE(std::holds_alternative<ChannelMatrix>(made)) << std::get<std::string>(made);
  cal.correction = std::get<ChannelMatrix>(made);
  // Each die, and any mix of them (orange, a dim gray), reads as the canonical sensor reads it.
  for (const Rgb dies :
       {Rgb{1, 0, 0}, Rgb{0, 1, 0}, Rgb{0, 0, 1}, Rgb{1, 0.376F, 0}, Rgb{0.12F, 0.12F, 0.12F}}) {
    const Rgb x = response * dies + dark;
    const RgbSample s = calibrated(cal, {Instant{}, x.r, x.g, x.b, -1});
    const Rgb want = kCanonicalSensor * dies;
    EXPECT_NEAR(s.r, want.r, 1e-4);
    EXPECT_NEAR(s.g, want.g, 1e-4);
    EXPECT_NEAR(s.b, want.b, 1e-4);
  }
}

TEST(LedCalibration, RefusesPrimariesThatDoNotTellTheDiesApart) {
  const ChannelLevels dark{0.1F, 0.1F, 0.1F, -1};
  // The LED showed white three times instead of red, green and blue.
  const ChannelLevels white{5, 5, 5, -1};
  auto made = colour_correction(dark, {white, white, white});
  ASSERT_TRUE(std::holds_alternative<std::string>(made));
  EXPECT_NE(std::get<std::string>(made).find("do not tell the LED's dies apart"), std::string::npos)
      << std::get<std::string>(made);
  // The red die never lit.
  made =
      colour_correction(dark, {ChannelLevels{0.12F, 0.1F, 0.1F, -1}, {0.5F, 5, 2, -1}, {0.1F, 1.5F, 5, -1}});
  ASSERT_TRUE(std::holds_alternative<std::string>(made));
  EXPECT_NE(std::get<std::string>(made).find("red die is not clearly brighter than dark"), std::string::npos)
      << std::get<std::string>(made);
}

TEST(LedCalibration, LeavesTheClearChannelOutWhenTheSensorHasNone) {
  LedCalibration cal = calibration();
  cal.dark->c = -1;
  cal.white->c = -1;
  EXPECT_LT(calibrated(cal, {Instant{}, 6, 42, 3, 110}).c, 0);
  EXPECT_LT(calibrated(calibration(), {Instant{}, 6, 42, 3, -1}).c, 0);
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

TEST_F(CalibrationFile, RoundTripsThePrimariesAndTheirCorrection) {
  LedCalibrations cals;
  LedCalibration& cal = cals.entry("p2-1");
  cal.dark = ChannelLevels{0.1F, 0.1F, 0.1F, -1};
  cal.primaries = primaries_of(kTcs34725Crosstalk, {0.1F, 0.1F, 0.1F});
  cal.primaries_from = "boot";
  cal.primaries_at = "2024-05-02T09:14:11Z";
  cal.correction = std::get<ChannelMatrix>(colour_correction(*cal.dark, *cal.primaries));
  ASSERT_EQ(cals.save(path("cal.yaml")), std::nullopt);

  Diagnostics diags;
  const auto loaded = LedCalibrations::load(path("cal.yaml"), diags);
  ASSERT_TRUE(loaded) << diags.items().front().to_string();
  const LedCalibration* p2 = loaded->find("p2-1");
  ASSERT_TRUE(p2 && p2->complete() && p2->correction && p2->primaries);
  EXPECT_EQ(p2->primaries_from, "boot");
  EXPECT_EQ(p2->primaries_at, "2024-05-02T09:14:11Z");
  EXPECT_FLOAT_EQ(p2->primaries->green.b, 0.1F + 0.355F);
  for (std::size_t i = 0; i < 3; ++i) {
    for (std::size_t j = 0; j < 3; ++j)
      EXPECT_NEAR(p2->correction->rows[i][j], cal.correction->rows[i][j], 1e-5);
  }
}

TEST_F(CalibrationFile, PrimariesWrittenByHandGetTheirCorrection) {
  write("hand.yaml",
        "devices:\n"
        "  argon-3:\n"
        "    dark: {r: 1, g: 1, b: 1}\n"
        "    red: {r: 11, g: 1.6, b: 2}\n"
        "    green: {r: 2, g: 11, b: 4.5}\n"
        "    blue: {r: 1, g: 4, b: 11}\n");
  Diagnostics diags;
  const auto loaded = LedCalibrations::load(path("hand.yaml"), diags);
  ASSERT_TRUE(loaded) << diags.items().front().to_string();
  const LedCalibration* argon = loaded->find("argon-3");
  ASSERT_TRUE(argon && argon->complete() && argon->correction);
  const RgbSample green = calibrated(*argon, {Instant{}, 2, 11, 4.5F, -1});
  const Rgb want = kCanonicalSensor * Rgb{0, 1, 0};
  EXPECT_NEAR(green.g, want.g, 1e-4);
  EXPECT_NEAR(green.b, want.b, 1e-4);
}

TEST_F(CalibrationFile, ACorrectionThatIsNotThreeByThreeIsReportedAtItsPosition) {
  write("bad.yaml",
        "devices:\n"
        "  argon-3:\n"
        "    dark: {r: 1, g: 1, b: 1}\n"
        "    correction: [[1, 0, 0], [0, 1]]\n"
        "  argon-4:\n"
        "    dark: {r: 1, g: 1, b: 1}\n"
        "    red: {r: 9, g: 1, b: 1}\n");
  Diagnostics diags;
  EXPECT_FALSE(LedCalibrations::load(path("bad.yaml"), diags));
  ASSERT_EQ(diags.size(), 2U);
  EXPECT_EQ(diags.items()[0].loc.line, 4);
  EXPECT_NE(diags.items()[0].message.find("three rows of three numbers"), std::string::npos)
      << diags.items()[0].message;
  EXPECT_EQ(diags.items()[1].loc.line, 6);  // argon-4's entry, which lacks 'green'
  EXPECT_NE(diags.items()[1].message.find("'red', 'green' and 'blue'"), std::string::npos)
      << diags.items()[1].message;
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
