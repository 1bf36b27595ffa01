#include "rig/devos/log_capture.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "tests/devos/corpus.hpp"

namespace cyanrig {
namespace {

using ::testing::ElementsAre;

std::vector<std::string> output_lines(const std::string& input, const DevosLogParser& parser = {}) {
  std::istringstream in(input);
  std::ostringstream out;
  parse_log_stream(in, out, parser);
  std::vector<std::string> lines;
  std::istringstream written(out.str());
  for (std::string line; std::getline(written, line);) lines.push_back(line);
  return lines;
}

TEST(ParseLogStream, WritesOneJsonObjectPerEventWithLineNumbers) {
  const std::string log =
      "0000003620 [system] INFO: Cloud: connecting\n"
      "0000003630 [system] INFO: Read Server Address = type:1,domain:$id.udp.particle.io\n"
      "0000003780 [system] INFO: Cloud socket connected\n"
      "0000003840 [system] INFO: Cloud connected\n";
  EXPECT_THAT(output_lines(log),
              ElementsAre(R"({"line":1,"device_ms":3620,"event":"cloud_connecting"})",
                          R"({"line":3,"device_ms":3780,"event":"cloud_socket_connected"})",
                          R"({"line":4,"device_ms":3840,"event":"cloud_connected"})"));
}

TEST(ParseLogStream, FieldsFollowTheFixedKeys) {
  EXPECT_THAT(
      output_lines("0000000701 [system.nm] INFO: State changed: DISABLED -> IFACE_DOWN\n"),
      ElementsAre(
          R"({"line":1,"device_ms":701,"event":"network_state","from":"DISABLED","to":"IFACE_DOWN"})"));
}

TEST(ParseLogStream, CountsCrLfCrAndLfEndingsAsOneLineEach) {
  const std::string log =
      "0000000001 [system] INFO: Cloud: connecting\r\n"
      "\r\n"
      "0000000002 [system] INFO: Cloud socket connected\r"
      "0000000003 [system] INFO: Cloud connected\n"
      "0000000004 [system] INFO: Cloud: disconnecting";  // no ending at the end of the file
  EXPECT_THAT(output_lines(log), ElementsAre(R"({"line":1,"device_ms":1,"event":"cloud_connecting"})",
                                             R"({"line":3,"device_ms":2,"event":"cloud_socket_connected"})",
                                             R"({"line":4,"device_ms":3,"event":"cloud_connected"})",
                                             R"({"line":5,"device_ms":4,"event":"cloud_disconnecting"})"));
}

TEST(ParseLogStream, LeavesDeviceMsOutWhenTheLineHadNone) {
  DevosLogParser parser;
  parser.add_pattern(R"(^relay (\w+) (on|off)$)", "relay");
  EXPECT_THAT(output_lines("relay r1 on\n", parser),
              ElementsAre(R"({"line":1,"event":"relay","1":"r1","2":"on"})"));
}

TEST(ParseLogStream, InvalidUtf8InAFieldIsEscapedNotFatal) {
  DevosLogParser parser;
  parser.add_pattern(R"(^name=(.*)$)", "named");
  EXPECT_THAT(output_lines("0000000009 [app] INFO: name=caf\xc3\xa9\xff\n", parser),
              ElementsAre(R"({"line":1,"device_ms":9,"event":"named","1":"café\\xff"})"));
}

TEST(ParseLogStream, EmptyInputWritesNothing) {
  EXPECT_TRUE(output_lines("").empty());
}

TEST(ParseLogStream, ALineOverOneMebibyteCountsOnceAndItsTailIsNoEvent) {
  // 1.5 MiB of noise on one line whose end reads like a Device OS line: the reader keeps the first
  // MiB of it, and neither the tail's text nor the line numbers after it may change.
  const std::string long_line =
      std::string(std::size_t{1536} * 1024, 'x') + " 0000000002 [system] INFO: Cloud connected\n";
  const std::string log = "0000000001 [system] INFO: Cloud: connecting\n" + long_line +
                          "0000000003 [system] INFO: Cloud socket connected\n"
                          "0000000004 [system] INFO: Cloud: disconnecting";
  EXPECT_THAT(output_lines(log), ElementsAre(R"({"line":1,"device_ms":1,"event":"cloud_connecting"})",
                                             R"({"line":3,"device_ms":3,"event":"cloud_socket_connected"})",
                                             R"({"line":4,"device_ms":4,"event":"cloud_disconnecting"})"));
}

TEST(ParseLogStream, ReadsARecordedCorpusFile) {
  std::ifstream file(testing::corpus_path("argon_wifi_boot.log"), std::ios::binary);
  ASSERT_TRUE(file);
  std::ostringstream out;
  parse_log_stream(file, out, DevosLogParser{});
  std::vector<nlohmann::json> records;
  std::istringstream written(out.str());
  for (std::string line; std::getline(written, line);) records.push_back(nlohmann::json::parse(line));
  ASSERT_EQ(records.size(), 14u);
  EXPECT_EQ(records.front(), nlohmann::json({{"line", 1},
                                             {"device_ms", 652},
                                             {"event", "device_started"},
                                             {"id", "e00fce681234567890abcdef"}}));
  EXPECT_EQ(records.back()["line"], 19);
  EXPECT_EQ(records.back()["event"], "cloud_connected");
}

}  // namespace
}  // namespace cyanrig
