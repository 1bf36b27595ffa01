#include "rig/led/led_trace_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <sstream>

#include "rig/led/led_state.hpp"

namespace cyanrig {
namespace {

using std::chrono::milliseconds;
using testing::ElementsAre;
using testing::HasSubstr;

std::vector<std::string> messages(const Diagnostics& diags) {
  std::vector<std::string> out;
  for (const Diagnostic& d : diags.items()) out.push_back(d.to_string());
  return out;
}

std::optional<std::vector<RgbSample>> parse(const std::string& text, Diagnostics& diags) {
  std::istringstream in(text);
  return parse_led_trace_csv(in, "trace.csv", diags);
}

TEST(LedTraceCsv, ReadsSamplesWithTheClearColumnAnywhereAfterTime) {
  Diagnostics diags;
  const auto samples = parse("t_ms, r, c, g, b\r\n0,100,900,200,300\r\n\r\n12.5,0.5,0.9,0.25,0\r\n", diags);
  ASSERT_TRUE(samples) << testing::PrintToString(messages(diags));
  ASSERT_EQ(samples->size(), 2U);
  EXPECT_EQ((*samples)[0].t, run_start());
  EXPECT_EQ((*samples)[0].r, 100);
  EXPECT_EQ((*samples)[0].g, 200);
  EXPECT_EQ((*samples)[0].b, 300);
  EXPECT_EQ((*samples)[0].c, 900);
  EXPECT_EQ((*samples)[1].t, run_start() + std::chrono::microseconds(12500));
  EXPECT_FLOAT_EQ((*samples)[1].g, 0.25F);
}

TEST(LedTraceCsv, WithoutClearColumnTheClearChannelIsAbsent) {
  Diagnostics diags;
  const auto samples = parse("t_ms,b,g,r\n5,1,2,3\n", diags);
  ASSERT_TRUE(samples);
  EXPECT_EQ((*samples)[0].r, 3);
  EXPECT_EQ((*samples)[0].b, 1);
  EXPECT_LT((*samples)[0].c, 0);
}

TEST(LedTraceCsv, BadHeaderIsReportedWithItsLine) {
  Diagnostics diags;
  EXPECT_FALSE(parse("\ntime,r,g,b\n0,1,2,3\n", diags));
  EXPECT_THAT(messages(diags), ElementsAre("trace.csv:2:1: the header must start with t_ms, found 'time'"));

  Diagnostics missing;
  EXPECT_FALSE(parse("t_ms,r,g,x\n", missing));
  EXPECT_THAT(messages(missing),
              ElementsAre("trace.csv:1:10: unknown column 'x' (expected r, g, b and optionally c)",
                          "trace.csv:1:1: the header has no 'b' column"));

  Diagnostics empty;
  EXPECT_FALSE(parse("", empty));
  EXPECT_THAT(messages(empty), ElementsAre("trace.csv:1:1: empty trace: expected the header t_ms,r,g,b"));
}

TEST(LedTraceCsv, EveryBadRowIsReportedAtItsLineAndColumn) {
  Diagnostics diags;
  EXPECT_FALSE(parse("t_ms,r,g,b\n0,1,2,3\n40,1,2,3\n50,1,x2,3\n60,1,2\n10,1,2,3\n70,1,2,nan\n", diags));
  EXPECT_THAT(messages(diags), ElementsAre("trace.csv:4:6: 'x2' is not a number",
                                           "trace.csv:5:1: expected 4 values as in the header, found 3",
                                           "trace.csv:6:1: time goes backwards: t_ms 10 after 40",
                                           "trace.csv:7:8: 'nan' is not a number"));
}

TEST(LedTraceCsv, MissingFileIsAnError) {
  Diagnostics diags;
  EXPECT_FALSE(read_led_trace_csv("/nonexistent/trace.csv", diags));
  EXPECT_THAT(messages(diags), ElementsAre("/nonexistent/trace.csv: cannot open the trace file"));
}

LedStateChange state(std::string name, int start_ms) {
  LedStateChange s;
  s.start = run_start() + milliseconds(start_ms);
  s.recognised = s.start + milliseconds(300);
  s.state = std::move(name);
  return s;
}

TEST(LedStateJson, RendersOneLinePerState) {
  const Instant end = run_start() + milliseconds(2500);
  EXPECT_EQ(led_state_json_line(state("breathing_cyan", 1000), end),
            R"({"start_ms":1000,"end_ms":2500,"state":"breathing_cyan"})");

  LedStateChange sos = state("sos", 0);
  sos.code = 13;
  EXPECT_EQ(led_state_json_line(sos, end), R"({"start_ms":0,"end_ms":2500,"state":"sos","code":13})");

  LedStateChange error = state("cloud_error", 10);
  error.colour = "orange";
  error.count = 3;
  EXPECT_EQ(led_state_json_line(error, end),
            R"({"start_ms":10,"end_ms":2500,"state":"cloud_error","color":"orange","count":3})");

  LedStateChange custom = state("unknown", 20);
  custom.rgb = Rgb{0.5F, 0.0F, 1.0F};
  custom.period = milliseconds(2000);
  EXPECT_EQ(led_state_json_line(custom, end),
            R"({"start_ms":20,"end_ms":2500,"state":"unknown","rgb":[0.5,0.0,1.0],"period_ms":2000})");

  LedStateChange solid = state("unknown", 20);
  solid.rgb = Rgb{1.0F, 0.0F, 0.0F};
  EXPECT_EQ(led_state_json_line(solid, end),
            R"({"start_ms":20,"end_ms":2500,"state":"unknown","rgb":[1.0,0.0,0.0]})");
}

// Found by fuzz_led_trace_csv (tests/fuzz/crashes/led_trace_csv/value_past_float_range.csv): 1e300
// became an infinite float for the decoder.
TEST(LedTraceCsv, ValuesAndTimesPastWhatTheDecoderCarriesAreErrors) {
  Diagnostics diags;
  EXPECT_FALSE(parse("t_ms,r,g,b\n0,1e300,2,3\n1e20,1,2,3\n", diags));
  EXPECT_THAT(messages(diags),
              ElementsAre("trace.csv:2:3: '1e300' is out of range (a sensor value is at most 3.40282e+38)",
                          "trace.csv:3:1: '1e20' is out of range (t_ms is at most 1e+12)"));
}

TEST(LedTraceCsv, BytesThatAreNotTextAreEscapedInMessages) {
  Diagnostics diags;
  EXPECT_FALSE(parse("t_ms,r,g,b\n0,1,\xff\xfe\x1b[2J,3\n", diags));
  EXPECT_THAT(messages(diags), ElementsAre("trace.csv:2:5: '\\xff\\xfe\\x1b[2J' is not a number"));
}

TEST(LedTraceCsv, AShuffledTraceListsTheFirstProblemsAndCountsTheRest) {
  std::string csv = "t_ms,r,g,b\n";
  for (int row = 0; row < 10000; ++row) csv += std::to_string((row * 7919) % 10000 * 20) + ",1,2,3\n";
  Diagnostics diags;
  EXPECT_FALSE(parse(csv, diags));
  ASSERT_EQ(diags.size(), 21U);
  EXPECT_THAT(diags.items()[0].to_string(), HasSubstr("time goes backwards"));
  EXPECT_THAT(diags.items()[20].to_string(), HasSubstr("more problems from here on, not listed"));
  EXPECT_THAT(diags.items()[20].to_string(), HasSubstr("rows go back in time: are the rows sorted by t_ms?"));
  EXPECT_GT(diags.items()[20].loc.line, diags.items()[19].loc.line);
}

TEST(LedStateNames, AreTheDefaultSignalsPlusSosCloudErrorAndUnknown) {
  EXPECT_THAT(led_state_names(),
              ElementsAre("off", "breathing_white", "breathing_blue", "blinking_green", "fast_blinking_green",
                          "breathing_green", "blinking_cyan", "fast_blinking_cyan", "breathing_cyan",
                          "breathing_magenta", "blinking_blue", "blinking_yellow", "fast_blinking_magenta",
                          "solid_gray", "sos", "cloud_error", "unknown"));
  EXPECT_TRUE(is_led_state_name("breathing_cyan"));
  EXPECT_TRUE(is_led_state_name("cloud_error"));
  EXPECT_FALSE(is_led_state_name("breathing_purple"));
  EXPECT_FALSE(is_led_state_name(""));
}

}  // namespace
}  // namespace cyanrig
