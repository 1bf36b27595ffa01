// `cyanrig led calibrate` through the binary, against the built-in simulated rack: what a lab engineer
// runs, and what ends up in the calibration file.
#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "rig/led/calibration.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;

struct Result {
  int code;
  std::string out, err;
};

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class CalibrateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cyanrig-calibrate-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  Result cyanrig(const std::string& args) {
    const std::string cmd = fmt::format("{} {} --file {} </dev/null >{} 2>{}", CYANRIG_BINARY, args, file(),
                                        (dir_ / "out").string(), (dir_ / "err").string());
    const int status = std::system(cmd.c_str());
    return {WEXITSTATUS(status), slurp(dir_ / "out"), slurp(dir_ / "err")};
  }
  std::string file() const { return (dir_ / "led-calibration.yaml").string(); }
  LedCalibrations load() const {
    Diagnostics diags;
    auto cals = LedCalibrations::load(file(), diags);
    EXPECT_TRUE(cals) << (diags.empty() ? "" : diags.items()[0].to_string());
    return cals.value_or(LedCalibrations{});
  }

  fs::path dir_;
};

// The reading of each die of argon-1's LED (built-in rack) through its simulated sensor's own optics.
ChannelLevels model_reading(Rgb dies) {
  const sim::SimSensorSettings settings;
  const sim::OpticalPath optics(settings.optics_for("e00fce68a1b2c3d4e5f60718"),
                                static_cast<float>(settings.gain), static_cast<float>(settings.ambient));
  const Rgb x = optics.reading(dies.scaled(96.0F / 255.0F), run_start());
  return {x.r, x.g, x.b, -1};
}

void expect_near(const ChannelLevels& got, const ChannelLevels& want, float within) {
  EXPECT_NEAR(got.r, want.r, within);
  EXPECT_NEAR(got.g, want.g, within);
  EXPECT_NEAR(got.b, want.b, within);
}

TEST_F(CalibrateCommand, MeasuresDarkSwitchedOffAndLearnsTheColoursWhileBooting) {
  const Result r = cyanrig("led calibrate argon-1");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("argon-1: power off; measuring dark"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("argon-1: power on; learning its LED's colours"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("argon-1: calibration saved in " + file()), std::string::npos) << r.out;
  const LedCalibrations cals = load();
  const LedCalibration* cal = cals.find("argon-1");
  ASSERT_TRUE(cal && cal->complete() && cal->primaries && cal->correction);
  EXPECT_EQ(cal->primaries_from, "boot");
  EXPECT_FALSE(cal->dark_at.empty());
  EXPECT_FALSE(cal->primaries_at.empty());
  // The room light (~0.03), and each die as the device's own sensor reads it (its crosstalk, gains
  // and dies; ~1 on its own channel), learned from breathing white, blinking green and cyan.
  expect_near(*cal->dark, model_reading({0, 0, 0}), 0.02F);
  expect_near(cal->primaries->red, model_reading({1, 0, 0}), 0.05F);
  expect_near(cal->primaries->green, model_reading({0, 1, 0}), 0.05F);
  expect_near(cal->primaries->blue, model_reading({0, 0, 1}), 0.05F);
}

// The simulated devices run the probe firmware's contract (scenarios/firmware/probe), `led` included:
// each die is shown alone through RGB control and read by the device's own sensor.
TEST_F(CalibrateCommand, TheProbeModeShowsEachDieThroughTheProbeFirmware) {
  ASSERT_EQ(cyanrig("led calibrate argon-1 --step dark").code, 0);
  const Result r = cyanrig("led calibrate argon-1 --step colour --primaries probe");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("argon-1: driving its LED through the probe firmware's `led` function"),
            std::string::npos)
      << r.out;
  const LedCalibrations cals = load();
  const LedCalibration* cal = cals.find("argon-1");
  ASSERT_TRUE(cal && cal->primaries && cal->correction);
  EXPECT_EQ(cal->primaries_from, "probe");
  expect_near(cal->primaries->red, model_reading({1, 0, 0}), 0.05F);
  expect_near(cal->primaries->green, model_reading({0, 1, 0}), 0.05F);
  expect_near(cal->primaries->blue, model_reading({0, 0, 1}), 0.05F);
}

TEST_F(CalibrateCommand, TheColourNeedsTheDarkReferenceFirst) {
  const Result r = cyanrig("led calibrate p2-1 --step colour");
  EXPECT_EQ(r.code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("p2-1: the colour correction needs the dark reference first (--step dark)"),
            std::string::npos)
      << r.err;
}

TEST_F(CalibrateCommand, OneStepKeepsTheOtherDevicesEntries) {
  ASSERT_EQ(cyanrig("led calibrate argon-1").code, 0);
  const Result r = cyanrig("led calibrate boron-1 --step dark");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("boron-1: still needs its colour (--step colour)"), std::string::npos) << r.out;
  const LedCalibrations cals = load();
  ASSERT_TRUE(cals.find("argon-1"));
  EXPECT_TRUE(cals.find("argon-1")->complete());
  ASSERT_TRUE(cals.find("boron-1"));
  EXPECT_TRUE(cals.find("boron-1")->dark);
  EXPECT_FALSE(cals.find("boron-1")->white);
}

TEST_F(CalibrateCommand, RefusesAWhiteThatIsNoBrighterThanDark) {
  ASSERT_EQ(cyanrig("led calibrate boron-1 --step dark").code, 0);
  // The simulated device was never switched on: its LED is dark, not white.
  const Result r = cyanrig("led calibrate boron-1 --step white --yes");
  EXPECT_EQ(r.code, 3) << r.out << r.err;
  EXPECT_NE(r.err.find("white is not clearly brighter than dark"), std::string::npos) << r.err;
  const LedCalibrations cals = load();
  EXPECT_FALSE(cals.find("boron-1")->white);
}

TEST_F(CalibrateCommand, AnUnknownDeviceIsAUsageError) {
  const Result r = cyanrig("led calibrate argon-99");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no device 'argon-99'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(file()));
}

}  // namespace
}  // namespace cyanrig
