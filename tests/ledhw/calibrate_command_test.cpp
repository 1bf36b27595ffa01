// `cyanrig led calibrate` through the binary, against the built-in simulated rack: what a lab engineer
// runs, and what ends up in the calibration file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

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
    const std::string cmd = std::string(CYANRIG_BINARY) + " " + args + " --file " + file() + " </dev/null >" +
                            (dir_ / "out").string() + " 2>" + (dir_ / "err").string();
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

TEST_F(CalibrateCommand, MeasuresDarkSwitchedOffAndWhileBootingAndSavesBoth) {
  const Result r = cyanrig("led calibrate argon-1");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("argon-1: power off; measuring dark"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("argon-1: calibration saved in " + file()), std::string::npos) << r.out;
  const LedCalibration* cal = load().find("argon-1");
  ASSERT_TRUE(cal && cal->complete());
  // The simulated sensor reads the default-brightness LED as ~1 and ambient light as ~0.03.
  EXPECT_NEAR(cal->dark->g, 0.03, 0.02);
  EXPECT_NEAR(cal->white->g, 1.0, 0.15);
  EXPECT_NEAR(cal->white->b, 1.0, 0.15);
  EXPECT_FALSE(cal->dark_at.empty());
}

TEST_F(CalibrateCommand, OneStepKeepsTheOtherDevicesEntries) {
  ASSERT_EQ(cyanrig("led calibrate argon-1").code, 0);
  const Result r = cyanrig("led calibrate boron-1 --step dark");
  ASSERT_EQ(r.code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("boron-1: still needs its white reference (--step white)"), std::string::npos)
      << r.out;
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
  EXPECT_FALSE(load().find("boron-1")->white);
}

TEST_F(CalibrateCommand, AnUnknownDeviceIsAUsageError) {
  const Result r = cyanrig("led calibrate argon-99");
  EXPECT_EQ(r.code, 2);
  EXPECT_NE(r.err.find("no device 'argon-99'"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(file()));
}

}  // namespace
}  // namespace cyanrig
