// The command and gpio outage backends: what the commands see and report, the status confirmation,
// the sweep before a run, and the antenna relay's errors and levels (no GPIO chip here).
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "drivers/outage/gpio/gpio_outage.hpp"
#include "drivers/power/gpiod/relay_level.hpp"
#include "outage_rigs.hpp"

namespace cyanrig::outage_testing {
namespace {

using ::testing::HasSubstr;

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text, line;
  while (std::getline(in, line)) text += line + "\n";
  return text;
}

class CommandOutage : public ::testing::Test {
 protected:
  // A switch whose "outage" is the file `state` existing; `log` records every command.
  std::unique_ptr<OutageRig> rig(bool with_status, const std::string& extra = "") {
    const std::string state = (dir_.path() / "state").string();
    const std::string log = (dir_.path() / "log").string();
    std::string yaml = fmt::format(
        "{{backend: command, do: 'echo \"do $CYANRIG_SEGMENT $CYANRIG_OUTAGE_MODE $CYANRIG_OUTAGE_ACTION\" "
        ">>{}; "
        "touch {}', undo: 'echo \"undo $CYANRIG_OUTAGE_MODE\" >>{}; rm -f {}'",
        log, state, log, state);
    if (with_status) yaml += fmt::format(", status: 'test -e {}'", state);
    return std::make_unique<OutageRig>(yaml + extra + "}",
                                       std::vector<LabDevice>{{"argon-1", "10.0.0.2", ""}});
  }
  std::string log() const { return read_file(dir_.path() / "log"); }
  bool in_force() const { return std::filesystem::exists(dir_.path() / "state"); }
  void leave_in_force() const { std::ofstream(dir_.path() / "state") << ""; }

  TempDir dir_;
};

TEST_F(CommandOutage, DoAndUndoRunWithTheOutageInTheirEnvironment) {
  auto outage = rig(true);
  ASSERT_EQ(outage->start({.mode = OutageMode::internet, .action = OutageAction::reject}), "");
  EXPECT_TRUE(in_force());
  EXPECT_TRUE(outage->outage().active());
  EXPECT_TRUE(outage->inspect().in_force);
  ASSERT_EQ(outage->stop(), "");
  EXPECT_FALSE(in_force());
  EXPECT_FALSE(outage->inspect().in_force);
  EXPECT_EQ(log(), "do lab internet reject\nundo internet\n");
}

TEST_F(CommandOutage, OnlyTheDeclaredModesAreAccepted) {
  auto outage = rig(false, ", modes: [cloud, link]");
  EXPECT_EQ(outage->start({.mode = OutageMode::internet}),
            "this command backend performs no internet outages (see its 'modes')");
  EXPECT_EQ(outage->start({.mode = OutageMode::link}), "");
  EXPECT_EQ(log(), "do lab link drop\n");
}

TEST_F(CommandOutage, AFailingDoIsReportedWithItsStderrAndTheStatusMustAgree) {
  OutageRig failing("{backend: command, do: 'echo no such port >&2; exit 4', undo: 'true'}",
                    {{"argon-1", "10.0.0.2", ""}});
  EXPECT_EQ(failing.start({.mode = OutageMode::internet}),
            "do command 'echo no such port >&2; exit 4' exited 4: no such port");
  EXPECT_FALSE(failing.outage().active());

  OutageRig unconfirmed("{backend: command, do: 'true', undo: 'true', status: 'exit 1'}",
                        {{"argon-1", "10.0.0.2", ""}});
  EXPECT_EQ(unconfirmed.start({.mode = OutageMode::internet}),
            "status command 'exit 1' says no outage is in force after 'true' succeeded");

  OutageRig confused("{backend: command, do: 'true', undo: 'true', status: 'exit 7'}",
                     {{"argon-1", "10.0.0.2", ""}});
  EXPECT_EQ(confused.inspect().fault.message(), "status command 'exit 7' exited 7 (0 means in force, 1 not)");
}

TEST_F(CommandOutage, SweepUndoesWhatAKilledRunLeftWhenStatusSaysSo) {
  auto outage = rig(true);
  EXPECT_EQ(outage->sweep(), "") << "nothing in force, nothing undone";
  EXPECT_EQ(log(), "");
  leave_in_force();
  EXPECT_THAT(outage->sweep(), HasSubstr("undid an outage left by an earlier run ('echo \"undo"));
  EXPECT_FALSE(in_force());
}

TEST_F(CommandOutage, WithoutAStatusCommandSweepRunsUndoAndReportsNothing) {
  auto outage = rig(false);
  leave_in_force();
  EXPECT_EQ(outage->sweep(), "");
  EXPECT_FALSE(in_force());
  EXPECT_EQ(log(), "undo \n");
  EXPECT_THAT(outage->inspect().what, HasSubstr("no status command to ask"));
}

// ---- gpio: the antenna relay --------------------------------------------------------------------

TEST(GpioOutage, AnOutageDrivesTheRelayToItsUnpoweredStateSoNcWiringCutsByEnergising) {
  EXPECT_EQ(antenna_relay_state(false), PowerState::on);
  EXPECT_EQ(antenna_relay_state(true), PowerState::off);
  // Antenna through the NC contact on an active-low board: connected with the line high (coil
  // released), cut with it low.
  const RelayBoard board{RelayPolarity::active_low, RelayWiring::normally_closed};
  EXPECT_EQ(line_level(antenna_relay_state(false), board), LineLevel::high);
  EXPECT_EQ(line_level(antenna_relay_state(true), board), LineLevel::low);
}

TEST(GpioOutage, AMissingChipIsNamedWhenTheRackIsBuilt) {
  try {
    OutageRig rig("{backend: gpio, chip: gpiochip250, line: 22}", {{"boron-1", "", ""}});
    ADD_FAILURE() << "built an antenna relay on a chip that does not exist";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(), "gpiochip250 line 22: no such chip");
  }
}

}  // namespace
}  // namespace cyanrig::outage_testing
