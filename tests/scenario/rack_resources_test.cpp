// What a rack file says about the lab beyond its devices' backends: the same thing claimed twice
// (gpio line, mux channel, serial port, USB identity, IP, MAC) as an error at file:line:col naming
// both places; devices under maintenance and their recover steps; where the lock lives; secrets.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "drivers/all_backends.hpp"
#include "rig/rack/maintenance_file.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/support/particle_module_file.hpp"
#include "tests/support/rack_problems.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::vector<std::string> problems(const std::string& yaml) {
  return test::rack_problems(yaml, "lab.yaml", all_backends());
}

constexpr const char* kHead = R"(rack: lab
safe_power: off
segments:
  - name: cell
    outage: {backend: gpio, chip: /dev/gpiochip0, line: 17}
devices:
)";

TEST(RackResources, AGpioLineUsedByAPowerRelayAndAnAntennaRelayIsAnErrorNamingBoth) {
  EXPECT_THAT(
      problems(std::string(kHead) + R"(  - name: boron-1
    id: e00fce68aabbccddeeff0001
    platform: boron
    segment: cell
    power: {backend: gpiod, chip: gpiochip0, line: 17}
)"),
      ElementsAre("lab.yaml:11:52: gpio line 17 of gpiochip0 is used twice: here by the power of device "
                  "'boron-1', and by the gpio outage of segment 'cell' at lab.yaml:5:57"));
}

TEST(RackResources, TwoDevicesOnOneGpioLineMuxChannelOrSerialPortAreErrors) {
  EXPECT_THAT(
      problems(R"(rack: lab
safe_power: off
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    power: {backend: gpiod, line: 5}
    serial: {backend: tty, path: /dev/serial/by-id/usb-Particle_Argon-if00}
    led: {backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x70, channel: 3}}
  - name: argon-2
    id: e00fce68aabbccddeeff0002
    platform: argon
    power: {backend: gpiod, chip: gpiochip0, line: 5}
    serial: {backend: tty, path: /dev/serial/../serial/by-id/usb-Particle_Argon-if00}
    led: {backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x70, channel: 3}}
  - name: argon-3
    id: e00fce68aabbccddeeff0003
    platform: argon
    power: {backend: gpiod, line: 6}
    serial: {backend: usb, usb_serial: E00FCE68AABBCCDDEEFF0001}
    led: {backend: tcs34725, bus: /dev/i2c-1, mux: {address: 0x70, channel: 4}}
  - name: argon-4
    id: e00fce68aabbccddeeff0004
    platform: argon
    serial: {backend: usb, device_id: e00fce68aabbccddeeff0001}
)"),
      ElementsAre(
          "lab.yaml:13:52: gpio line 5 of gpiochip0 is used twice: here by the power of device "
          "'argon-2', and by the power of device 'argon-1' at lab.yaml:7:35",
          "lab.yaml:14:34: serial port /dev/serial/by-id/usb-Particle_Argon-if00 is used twice: here "
          "by the serial port of device 'argon-2', and by the serial port of device 'argon-1' at "
          "lab.yaml:8:34",
          "lab.yaml:15:52: I2C /dev/i2c-1 mux 0x70 channel 3 is used twice: here by the led sensor of "
          "device 'argon-2', and by the led sensor of device 'argon-1' at lab.yaml:9:52",
          "lab.yaml:25:39: USB serial number e00fce68aabbccddeeff0001 is used twice: here by the serial "
          "port of device 'argon-4', and by the serial port of device 'argon-3' at lab.yaml:20:40"));
}

TEST(RackResources, TheSameIpOrMacForTwoDevicesIsAnError) {
  EXPECT_THAT(
      problems(R"(rack: lab
safe_power: off
segments:
  - {name: wifi, outage: {backend: nftables}}
devices:
  - {name: a1, id: e00fce68aabbccddeeff0001, platform: argon, segment: wifi, ip: "fd00::0:11", mac: "E0:4F:43:12:34:56"}
  - {name: a2, id: e00fce68aabbccddeeff0002, platform: argon, segment: wifi, ip: "fd00::11", mac: "e0:4f:43:12:34:56"}
)"),
      ElementsAre("lab.yaml:7:82: IP address fd00::11 is used twice: here by device 'a2', and by device 'a1' "
                  "at lab.yaml:6:82",
                  "lab.yaml:7:99: MAC address e0:4f:43:12:34:56 is used twice: here by device 'a2', and by "
                  "device 'a1' at lab.yaml:6:101"));
}

TEST(RackResources, DifferentThingsAreNoConflictAndSimBackendsClaimNothing) {
  EXPECT_THAT(problems(std::string(kHead) +
                       R"(  - {name: b1, id: e00fce68aabbccddeeff0001, platform: boron, segment: cell,
     power: {backend: gpiod, line: 18}, serial: {backend: tty, path: /dev/ttyACM0}}
  - {name: b2, id: e00fce68aabbccddeeff0002, platform: boron, segment: cell,
     power: {backend: gpiod, chip: gpiochip1, line: 17}, serial: {backend: tty, path: /dev/ttyACM1}}
)"),
              IsEmpty());
  Diagnostics diags;
  validate_rack_backends(builtin_sim_rack(), all_backends(), diags);
  EXPECT_TRUE(diags.empty());
}

TEST(RackResources, MaintenanceRecoverLockFolderAndSecretsAreRead) {
  test::TempDir dir("cyanrig-rack-test");
  test::write_particle_module(dir.path() / "argon-good.bin", {.platform_id = 12});
  const std::string file = (dir.path() / "lab.yaml").string();
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: lab
safe_power: off
lock_dir: locks
secret_env: [SMARTPLUG_KEY, PDU_PASSWORD]
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    maintenance: "USB cable flaky"
    power: {backend: command, on: 'true', off: 'true'}
    serial: {backend: tty, path: /dev/ttyACM0}
    recover: [power_cycle, {dfu_flash: argon-good.bin}]
)",
                               file, diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  EXPECT_EQ(rack->lock_dir, (dir.path() / "locks").string());
  EXPECT_EQ(rack->secret_env, (std::vector<std::string>{"SMARTPLUG_KEY", "PDU_PASSWORD"}));
  EXPECT_EQ(rack->maintenance_file, (dir.path() / "lab.maintenance.yaml").string());
  const RackDevice& argon = rack->devices[0];
  EXPECT_EQ(argon.maintenance, std::optional<std::string>("USB cable flaky"));
  ASSERT_EQ(argon.recover.size(), 2U);
  EXPECT_EQ(argon.recover[0].kind, RecoverStep::Kind::power_cycle);
  EXPECT_EQ(argon.recover[1].kind, RecoverStep::Kind::dfu_flash);
  EXPECT_EQ(argon.recover[1].image.file, (dir.path() / "argon-good.bin").string());
}

TEST(RackResources, RecoverStepsThatCannotWorkAreErrorsWhereTheyAre) {
  EXPECT_THAT(
      problems(R"(rack: lab
safe_power: off
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    maintenance: "  "
    recover: [power_cycle, {dfu_flash: /nonexistent/good.bin}, reboot]
secret_env: [GOOD, "not a name"]
)"),
      ElementsAre(
          "lab.yaml:9:13: 'not a name' is not an environment variable name (letters, digits and _)",
          "lab.yaml:7:18: 'maintenance' gives the reason the device is out of service, e.g. \"USB "
          "cable flaky\"",
          "lab.yaml:8:15: power_cycle needs a power backend, and device 'argon-1' has none",
          "lab.yaml:8:28: dfu_flash enters DFU mode through the serial port, and device 'argon-1' has "
          "none",
          "lab.yaml:8:64: a recover step is power_cycle or {dfu_flash: firmware.bin}"));
}

TEST(RackResources, DeviceDisableStateIsAppliedWhenTheRackIsLoadedAndAStrangerIsAnError) {
  test::TempDir dir("cyanrig-rack-test");
  const std::string file = (dir.path() / "lab.yaml").string();
  std::ofstream(file)
      << "rack: lab\nsafe_power: off\ndevices:\n"
         "  - {name: argon-1, id: e00fce68aabbccddeeff0001, platform: argon, maintenance: relay worn}\n"
         "  - {name: argon-2, id: e00fce68aabbccddeeff0002, platform: argon}\n";
  ASSERT_EQ(write_maintenance_state((dir.path() / "lab.maintenance.yaml").string(),
                                    {{"argon-1", {"and a bad cable", "2026-12-07T10:15:02Z", "alice"}},
                                     {"argon-2", {"antenna loose", "", ""}}}),
            "");
  Diagnostics diags;
  const auto rack = load_rack_file(file, diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  EXPECT_EQ(rack->devices[0].maintenance,
            std::optional<std::string>(
                "relay worn; and a bad cable (disabled by alice since 2026-12-07T10:15:02Z)"));
  EXPECT_EQ(rack->devices[1].maintenance, std::optional<std::string>("antenna loose"));

  ASSERT_EQ(write_maintenance_state((dir.path() / "lab.maintenance.yaml").string(),
                                    {{"argon-9", {"gone", "", ""}}}),
            "");
  EXPECT_FALSE(load_rack_file(file, diags));
  EXPECT_THAT(diags.items().back().to_string(),
              HasSubstr("device 'argon-9' is under maintenance here but not in rack 'lab'"));
}

}  // namespace
}  // namespace cyanrig
