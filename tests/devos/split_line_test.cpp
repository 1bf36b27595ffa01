#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "rig/devos/log_parser.hpp"

namespace cyanrig {
namespace {

TEST(SplitDevosLine, SplitsTheSerialLogHandlerFormat) {
  const auto line = split_devos_line("0000003620 [system] INFO: Cloud: connecting");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->device_ms, 3620u);
  EXPECT_EQ(line->category, "system");
  EXPECT_EQ(line->level, "INFO");
  EXPECT_EQ(line->message, "Cloud: connecting");
}

TEST(SplitDevosLine, StripsTheLineEndingButKeepsTheMessageAsPrinted) {
  const auto line =
      split_devos_line("0000000701 [system.nm] INFO: State changed: DISABLED -> IFACE_DOWN \r\n");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->category, "system.nm");
  EXPECT_EQ(line->message, "State changed: DISABLED -> IFACE_DOWN ");
}

TEST(SplitDevosLine, ToleratesMissingLeadingZeros) {
  const auto line = split_devos_line("652 [system] INFO: Device e00fce681234567890abcdef started");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->device_ms, 652u);
}

TEST(SplitDevosLine, ReadsTheLargestCounterValue) {
  const auto line = split_devos_line("4294967295 [app] INFO: still here");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->device_ms, 4294967295u);
}

TEST(SplitDevosLine, SkipsPrefixesThatCaptureToolsAdd) {
  const std::vector<std::string> prefixes{
      "2026-11-21 08:15:02.123 ",    // host date and time
      "[12:00:01.234] ",             // bracketed host time
      "[2026-11-21 08:15:02.123] ",  // bracketed date and time
      "[ttyACM0] ",                  // port tag
      "[0.123456 0.000100] ",        // grabserial
      "8434 - ",                     // host millis, as in Particle's own app notes
      "[ttyACM0] 12:00:01.234 ",     // two of them
  };
  for (const std::string& prefix : prefixes) {
    SCOPED_TRACE(prefix);
    const auto line = split_devos_line(prefix + "0000007185 [system] INFO: Cloud socket connected");
    ASSERT_TRUE(line);
    EXPECT_EQ(line->device_ms, 7185u);
    EXPECT_EQ(line->category, "system");
    EXPECT_EQ(line->message, "Cloud socket connected");
  }
}

TEST(SplitDevosLine, NormalisesTheLevel) {
  EXPECT_EQ(split_devos_line("0000000001 [app] info: x")->level, "INFO");
  EXPECT_EQ(split_devos_line("0000000001 [app] Warning: x")->level, "WARN");
  EXPECT_EQ(split_devos_line("0000000001 [system] PANIC: HardFault")->level, "PANIC");
  EXPECT_EQ(split_devos_line("0000000001 [system] TRACE: Last reset reason: 20")->level, "TRACE");
}

TEST(SplitDevosLine, SkipsASourceLocationBeforeTheLevel) {
  const auto line = split_devos_line(
      "0000007187 [system] system_cloud.cpp:812, Spark_Handshake(): INFO: Starting handshake");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->level, "INFO");
  EXPECT_EQ(line->message, "Starting handshake");
}

TEST(SplitDevosLine, KeepsBracketsInsideTheMessage) {
  const auto line = split_devos_line("0000000010 [app] INFO: [sensor] reading 12 [ok]");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->category, "app");
  EXPECT_EQ(line->message, "[sensor] reading 12 [ok]");
}

TEST(SplitDevosLine, RejectsLinesWithoutTheDeviceOsHeader) {
  const std::vector<std::string> lines{
      "",
      "Cloud connected",
      "[system] INFO: Cloud connected",                // no ms counter
      "0000000001 [system] Cloud connected",           // no level
      "0000000001 [system] DEBUG: Cloud connected",    // not a Device OS level
      "0000000001 system INFO: Cloud connected",       // no brackets
      "abc0000000001 [system] INFO: Cloud connected",  // counter glued to text
      "12345678901 [system] INFO: Cloud connected",    // wider than a uint32 counter
      "0000000001 [sys tem] INFO: Cloud connected",    // category with a space
      "0000000001 [system]INFO: Cloud connected",
      "\xff\xfe 0000000001 [system",
  };
  for (const std::string& text : lines) {
    SCOPED_TRACE(text);
    EXPECT_FALSE(split_devos_line(text));
  }
}

}  // namespace
}  // namespace cyanrig
