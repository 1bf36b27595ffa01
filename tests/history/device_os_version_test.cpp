// The Device OS version read from what a device wrote on serial: the forms Device OS versions use,
// the last one named winning, and lines of any length (a device may write one of megabytes).
#include "rig/history/device_os_version.hpp"

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig {
namespace {

// Appended piece by piece: GCC 12 warns falsely (-Warray-bounds) on a chain of string +.
std::string joined(std::initializer_list<std::string_view> pieces) {
  std::string out;
  for (const std::string_view p : pieces) out.append(p);
  return out;
}

std::string version_in(std::vector<std::string> texts) {
  std::vector<RecordedSerialLine> lines;
  for (std::string& t : texts) lines.push_back({.text = std::move(t)});
  return device_os_version_in(lines);
}

TEST(DeviceOsVersion, ReadsTheFormsDeviceOsWrites) {
  EXPECT_EQ(version_in({"0000001234 [system] INFO: Device OS v6.2.0"}), "6.2.0");
  EXPECT_EQ(version_in({"system firmware version: 5.9.0-rc.1"}), "5.9.0-rc.1");
  EXPECT_EQ(version_in({"SystemVersion 4.2.0"}), "4.2.0");
  EXPECT_EQ(version_in({"deviceOS: 3.3.1 (argon)"}), "3.3.1");
  EXPECT_EQ(version_in({joined({"Device OS", std::string(16, '_'), "v1.5.2"})}), "1.5.2")
      << "16 characters and a v";
  EXPECT_EQ(version_in({joined({"Device OS", std::string(17, '_'), "1.5.2"})}), "") << "more than 16 between";
  EXPECT_EQ(version_in({"Device OS 6.2"}), "") << "three numbers or none";
  EXPECT_EQ(version_in({"Device OS\n6.2.0"}), "") << "not across a line end";
  EXPECT_EQ(version_in({"firmware 1.0.0", "Device OS v6.1.0", "Device OS v6.2.0", "Cloud connected"}),
            "6.2.0");
}

TEST(DeviceOsVersion, ALineOfMegabytesIsReadWithoutRunningOutOfStack) {
  // std::regex recursed once per character of a white-space run and crashed on such a line.
  const std::string blanks(4 << 20, ' ');
  EXPECT_EQ(version_in({joined({"Device", blanks, "OS v6.2.0"})}), "6.2.0");
  EXPECT_EQ(version_in({joined({std::string(4 << 20, 'x'), " Device OS v6.2.0"})}), "6.2.0");
  EXPECT_EQ(version_in({joined({"Device", blanks})}), "");
}

}  // namespace
}  // namespace cyanrig
