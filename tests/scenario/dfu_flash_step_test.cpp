// The `dfu_flash` recover step as the rack reader takes it: the known-good binary's module header
// read when the rack is read (platform, user part, flags, size) with every problem at the step's
// file:line:col naming what the header says, and a serial backend that cannot ask for DFU mode
// (tcp) refused where the step is.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/all_backends.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/support/particle_module_file.hpp"
#include "tests/support/rack_problems.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

using test::write_particle_module;
using ::testing::ElementsAre;

class DfuFlashStep : public ::testing::Test {
 protected:
  std::string rack_file() const { return (dir_.path() / "lab.yaml").string(); }
  std::string in_dir(const std::string& name) const { return (dir_.path() / name).string(); }

  std::vector<std::string> problems(const std::string& yaml) const {
    return test::rack_problems(yaml, rack_file(), all_backends());
  }

  test::TempDir dir_{"cyanrig-dfu-step"};
};

TEST_F(DfuFlashStep, TheImageGoesWhereItsModuleHeaderSaysAndWaitIsRead) {
  write_particle_module(in_dir("argon-good.bin"), {.platform_id = 12, .start = 0x000b4000, .size = 40});
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: lab
safe_power: off
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    serial: {backend: usb}
    recover:
      - dfu_flash: argon-good.bin
      - {dfu_flash: argon-good.bin, wait: 45s}
)",
                               rack_file(), diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();
  validate_rack_backends(*rack, all_backends(), diags);
  EXPECT_TRUE(diags.empty()) << diags.items().front().to_string();
  const auto& recover = rack->devices[0].recover;
  ASSERT_EQ(recover.size(), 2U);
  EXPECT_EQ(recover[0].kind, RecoverStep::Kind::dfu_flash);
  EXPECT_EQ(recover[0].image.file, in_dir("argon-good.bin"));
  EXPECT_EQ(recover[0].image.address, 0x000b4000U);
  EXPECT_EQ(recover[0].image.bytes, 40U);
  EXPECT_EQ(recover[0].wait, kDfuWaitDefault);
  EXPECT_EQ(recover[1].wait, std::chrono::seconds(45));
}

TEST_F(DfuFlashStep, AHeaderThatDoesNotDescribeThisDevicesApplicationIsAnErrorAtTheStepSayingWhatItSays) {
  std::ofstream(in_dir("short.bin"), std::ios::binary) << "0123456789";
  write_particle_module(in_dir("boron.bin"), {.platform_id = 13});
  write_particle_module(in_dir("odd.bin"), {.platform_id = 99});
  write_particle_module(in_dir("system.bin"), {.platform_id = 12, .function = 4});
  write_particle_module(in_dir("compressed.bin"), {.platform_id = 12, .flags = 0x02});
  write_particle_module(in_dir("truncated.bin"), {.platform_id = 12, .size = 64, .end_offset = 16});
  const std::string says = "'s module header says ";
  EXPECT_THAT(
      problems(R"(rack: lab
safe_power: off
devices:
  - name: argon-1
    id: e00fce68aabbccddeeff0001
    platform: argon
    serial: {backend: tty, path: /dev/ttyACM0}
    recover:
      - dfu_flash: short.bin
      - dfu_flash: boron.bin
      - dfu_flash: odd.bin
      - dfu_flash: system.bin
      - dfu_flash: compressed.bin
      - dfu_flash: truncated.bin
      - {dfu_flash: truncated.bin, wait: 0s}
)"),
      ElementsAre(
          rack_file() + ":9:20: dfu_flash: " + in_dir("short.bin") +
              " is 10 bytes, too short for a Particle module header (24 bytes): not an application binary",
          rack_file() + ":10:20: dfu_flash: " + in_dir("boron.bin") + says +
              "platform 13 (boron), and device 'argon-1' is argon (platform 12)",
          rack_file() + ":11:20: dfu_flash: " + in_dir("odd.bin") + says +
              "platform 99, and device 'argon-1' is argon (platform 12)",
          rack_file() + ":12:20: dfu_flash: " + in_dir("system.bin") + says +
              "system part (module function 4), not an application (user part, function 5)",
          rack_file() + ":13:20: dfu_flash: " + in_dir("compressed.bin") + says +
              "compressed (flags 0x02): only an OTA update can install such a module, and dfu-util writes "
              "the file as it is",
          rack_file() + ":14:20: dfu_flash: " + in_dir("truncated.bin") + says +
              "0x000d4000 to 0x000d404c, which with its CRC is 80 bytes, and the file has 64: truncated, "
              "padded or not one module",
          rack_file() + ":15:42: dfu_flash: 'wait' is how long to keep asking for DFU mode, above 0 (e.g. "
                        "30s)"));
}

TEST_F(DfuFlashStep, ASerialServerCannotAskForDfuModeAndSaysSoAtTheStep) {
  write_particle_module(in_dir("boron-good.bin"), {.platform_id = 13});
  EXPECT_THAT(
      problems(R"(rack: lab
safe_power: off
devices:
  - name: boron-2
    id: e00fce68aabbccddeeff0002
    platform: boron
    serial: {backend: tcp, host: 192.168.1.40, port: 4001}
    recover: [{dfu_flash: boron-good.bin}]
)"),
      ElementsAre(rack_file() +
                  ":8:15: dfu_flash: device 'boron-2' is read through a serial server (serial backend "
                  "tcp), which sets the port's baud rate itself, so cyanrig cannot open the port at "
                  "14400 baud to ask for DFU mode; plug the device into the rig's own USB (serial "
                  "backend tty or usb) to flash it over DFU"));
}

}  // namespace
}  // namespace cyanrig
