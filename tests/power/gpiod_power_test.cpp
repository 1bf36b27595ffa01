// The gpiod backend without hardware: the relay level logic, parameter checks at file:line:col, and
// the errors a rack engineer sees when the chip or line is wrong. Tests that need a real chip run
// only where one exists (a Pi); CI has no /dev/gpiochip and cannot load gpio-sim or gpio-mockup.
#include "drivers/power/gpiod/gpiod_power.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <cerrno>
#include <filesystem>

#include "drivers/power/gpiod/gpio_line.hpp"
#include "drivers/power/gpiod/relay_level.hpp"
#include "power_rigs.hpp"

namespace cyanrig::power_testing {
namespace {

// ---- relay level: power state x board polarity x contact wiring -> line level -------------------

struct LevelCase {
  RelayPolarity polarity;
  RelayWiring wiring;
  PowerState state;
  LineLevel expected;
};

class RelayLevel : public ::testing::TestWithParam<LevelCase> {};

TEST_P(RelayLevel, DrivesTheLevelThatPutsTheDeviceInTheWantedState) {
  const LevelCase& c = GetParam();
  EXPECT_EQ(line_level(c.state, {c.polarity, c.wiring}), c.expected);
}

INSTANTIATE_TEST_SUITE_P(
    EveryBoardAndWiring, RelayLevel,
    ::testing::Values(
        // Active-high board, device on the NO contact: high pulls the coil in, which closes NO.
        LevelCase{RelayPolarity::active_high, RelayWiring::normally_open, PowerState::on, LineLevel::high},
        LevelCase{RelayPolarity::active_high, RelayWiring::normally_open, PowerState::off, LineLevel::low},
        // Active-low board (most opto-isolated Pi relay boards): low pulls the coil in.
        LevelCase{RelayPolarity::active_low, RelayWiring::normally_open, PowerState::on, LineLevel::low},
        LevelCase{RelayPolarity::active_low, RelayWiring::normally_open, PowerState::off, LineLevel::high},
        // NC contact: the device is powered while the coil is released.
        LevelCase{RelayPolarity::active_high, RelayWiring::normally_closed, PowerState::on, LineLevel::low},
        LevelCase{RelayPolarity::active_high, RelayWiring::normally_closed, PowerState::off, LineLevel::high},
        LevelCase{RelayPolarity::active_low, RelayWiring::normally_closed, PowerState::on, LineLevel::high},
        LevelCase{RelayPolarity::active_low, RelayWiring::normally_closed, PowerState::off, LineLevel::low}));

TEST(RelayCoil, IsEnergisedToPowerAnNoContactAndToCutAnNcContact) {
  EXPECT_TRUE(coil_energised(PowerState::on, RelayWiring::normally_open));
  EXPECT_FALSE(coil_energised(PowerState::off, RelayWiring::normally_open));
  EXPECT_FALSE(coil_energised(PowerState::on, RelayWiring::normally_closed));
  EXPECT_TRUE(coil_energised(PowerState::off, RelayWiring::normally_closed));
}

// ---- parameters --------------------------------------------------------------------------------

std::vector<std::string> gpiod_errors(const std::string& yaml) {
  return validation_errors(gpiod_power_backend(), backend_spec(yaml));
}

TEST(GpiodParameters, AcceptOffsetsLineNamesLabelsPathsAndBothWirings) {
  EXPECT_EQ(gpiod_errors("{backend: gpiod, line: 17}"), std::vector<std::string>{});
  EXPECT_EQ(
      gpiod_errors("{backend: gpiod, chip: pinctrl-bcm2711, line: GPIO17, active_low: true, wiring: nc}"),
      std::vector<std::string>{});
  EXPECT_EQ(gpiod_errors("{backend: gpiod, chip: /dev/gpiochip4, line: 0, active_low: false, wiring: no}"),
            std::vector<std::string>{});
}

TEST(GpiodParameters, MistakesAreReportedAtTheirPosition) {
  EXPECT_EQ(gpiod_errors("{backend: gpiod}"),
            std::vector<std::string>{"rack.yaml:1:1: gpiod power backend needs 'line'"});
  EXPECT_EQ(gpiod_errors("{backend: gpiod, line: -1}"),
            std::vector<std::string>{
                "rack.yaml:1:24: 'line' must be an offset (17) or a line name (GPIO17), found '-1'"});
  EXPECT_EQ(gpiod_errors("{backend: gpiod, line: 5000}"),
            std::vector<std::string>{"rack.yaml:1:24: 'line' offset must be 0 to 1023, found 5000"});
  EXPECT_EQ(gpiod_errors("{backend: gpiod, line: 17, chip: ''}").size(), 1U);

  const auto wiring = gpiod_errors("{backend: gpiod, line: 17, wiring: nx}");
  ASSERT_EQ(wiring.size(), 1U);
  EXPECT_EQ(wiring[0].substr(0, 14), "rack.yaml:1:36");
  EXPECT_NE(wiring[0].find("'wiring' must be one of no, nc"), std::string::npos);

  const auto polarity = gpiod_errors("{backend: gpiod, line: 17, active_low: maybe}");
  ASSERT_EQ(polarity.size(), 1U);
  EXPECT_NE(polarity[0].find("'active_low' must be true or false"), std::string::npos);

  const auto unknown = gpiod_errors("{backend: gpiod, line: 17, pin: 3}");
  ASSERT_EQ(unknown.size(), 1U);
  EXPECT_NE(unknown[0].find("unknown field 'pin'"), std::string::npos);
}

// ---- errors from libgpiod ----------------------------------------------------------------------

// Builds the backend on a one-device rack; the message create() throws, or "" if it built.
std::string create_error(const std::string& yaml) {
  auto clock = make_steady_clock();
  const Rack rack = one_device_rack(backend_spec(yaml));
  BackendContext context(*clock, rack, 1);
  try {
    gpiod_power_backend().create({*rack.devices[0].power, &rack.devices[0]}, context);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "";
}

bool exists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

// The first GPIO chip of this machine, or "" (CI: none).
std::string any_gpio_chip() {
  std::error_code ignored;
  for (const auto& entry : std::filesystem::directory_iterator("/dev", ignored)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with("gpiochip")) return entry.path().string();
  }
  return "";
}

constexpr const char* kNoChipHere =
    "needs a GPIO chip: this machine has no /dev/gpiochip*, and the gpio-sim / gpio-mockup kernel modules "
    "that would fake one cannot be loaded here (no modprobe); it runs on a Pi";

TEST(GpiodErrors, AMissingChipPathNamesTheChipAndLine) {
  ASSERT_FALSE(exists("/dev/gpiochip-cyanrig-missing"));
  EXPECT_EQ(create_error("{backend: gpiod, chip: /dev/gpiochip-cyanrig-missing, line: 17}"),
            "/dev/gpiochip-cyanrig-missing line 17: no such chip");
}

TEST(GpiodErrors, AMissingChipNameReadsAsTheIssueAskedFor) {
  ASSERT_FALSE(exists("/dev/gpiochip250"));
  EXPECT_EQ(create_error("{backend: gpiod, chip: gpiochip250, line: 17}"),
            "gpiochip250 line 17: no such chip");
}

TEST(GpiodErrors, AMissingChipLabelIsNoSuchChip) {
  EXPECT_EQ(create_error("{backend: gpiod, chip: cyanrig-no-such-label, line: GPIO17}"),
            "cyanrig-no-such-label line GPIO17: no such chip");
}

TEST(GpiodErrors, AFileThatIsNotAChipSaysSo) {
  EXPECT_EQ(create_error("{backend: gpiod, chip: /dev/null, line: 17}"),
            "/dev/null line 17: not a GPIO chip");
}

TEST(GpiodErrors, AnOffsetPastTheChipsLastLineIsOutOfRange) {
  const std::string chip = any_gpio_chip();
  if (chip.empty()) GTEST_SKIP() << kNoChipHere;
  const std::string message = create_error(fmt::format("{{backend: gpiod, chip: {}, line: 1023}}", chip));
  EXPECT_EQ(message.substr(0, message.find(" (")), chip + " line 1023: line out of range");
}

TEST(GpiodErrors, AnUnknownLineNameIsReported) {
  const std::string chip = any_gpio_chip();
  if (chip.empty()) GTEST_SKIP() << kNoChipHere;
  EXPECT_EQ(create_error(fmt::format("{{backend: gpiod, chip: {}, line: CYANRIG_NO_SUCH_LINE}}", chip)),
            chip + " line CYANRIG_NO_SUCH_LINE: no line of that name on this chip");
}

// The errno cases that need particular hardware states (another owner, a user outside the gpio
// group, a chip unplugged mid-run) go through the same one helper; its words are pinned here.
TEST(GpioErrorText, NamesTheCauseInTheEngineersWords) {
  EXPECT_EQ(gpio_error_text(GpioStep::open_chip, ENOENT), "no such chip");
  EXPECT_EQ(gpio_error_text(GpioStep::find_line, ENOENT), "no line of that name on this chip");
  EXPECT_EQ(gpio_error_text(GpioStep::request_line, EBUSY, "pigpiod"), "line busy (used by 'pigpiod')");
  EXPECT_EQ(gpio_error_text(GpioStep::request_line, EBUSY), "line busy");
  EXPECT_NE(gpio_error_text(GpioStep::request_line, EBUSY, "cyanrig").find("another device of this rack"),
            std::string::npos);
  EXPECT_EQ(gpio_error_text(GpioStep::find_line, EINVAL, "gpiochip0 has 54 lines, numbered from 0"),
            "line out of range (gpiochip0 has 54 lines, numbered from 0)");
  EXPECT_EQ(gpio_error_text(GpioStep::open_chip, EACCES).substr(0, 17), "permission denied");
  EXPECT_EQ(gpio_error_text(GpioStep::set_value, ENODEV), "chip is gone (unplugged, or its driver unloaded)");
  EXPECT_EQ(gpio_error_text(GpioStep::set_value, EIO), "Input/output error");
}

TEST(GpiodAddress, NamesTheChipAndLineAsTheRackFileDoes) {
  EXPECT_EQ((LineAddress{"gpiochip2", GpioOffset{17}}.to_string()), "gpiochip2 line 17");
  EXPECT_EQ((LineAddress{"pinctrl-bcm2711", std::string("GPIO17")}.to_string()),
            "pinctrl-bcm2711 line GPIO17");
}

}  // namespace
}  // namespace cyanrig::power_testing
