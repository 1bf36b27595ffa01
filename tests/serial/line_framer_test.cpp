#include "rig/serial/line_framer.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace cyanrig {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;

Instant at(Duration since_start) {
  return run_start() + since_start;
}

std::vector<std::string> texts(const std::vector<SerialLine>& lines) {
  std::vector<std::string> out;
  out.reserve(lines.size());
  for (const SerialLine& line : lines) out.push_back(line.text);
  return out;
}

// Feeds each chunk at a later instant and collects every line in order.
std::vector<SerialLine> feed_all(LineFramer& framer, const std::vector<std::string>& chunks) {
  std::vector<SerialLine> lines;
  Duration t = 0ms;
  for (const std::string& chunk : chunks) {
    for (SerialLine& line : framer.feed(at(t), chunk)) lines.push_back(std::move(line));
    t += 1ms;
  }
  return lines;
}

LineFramer framer_with_max_length(std::size_t max_length) {
  return LineFramer(LineFramer::Options{max_length, 250ms});
}

// ---------------------------------------------------------------------------------------------
// Line endings

TEST(LineFramer, CrLfAndCrLfEachEndOneLine) {
  LineFramer framer;
  const auto lines = framer.feed(at(0ms), "crlf\r\nlf\ncr\rlast\r\n");
  EXPECT_THAT(texts(lines), ElementsAre("crlf", "lf", "cr", "last"));
  for (const SerialLine& line : lines) EXPECT_FALSE(line.partial);
  EXPECT_FALSE(framer.pending());
}

TEST(LineFramer, CrLfSplitAcrossFeedsIsOneEnding) {
  LineFramer framer;
  EXPECT_THAT(texts(framer.feed(at(0ms), "0000000001 [system] INFO: Cloud connected\r")),
              ElementsAre("0000000001 [system] INFO: Cloud connected"));
  EXPECT_TRUE(framer.feed(at(1ms), "\n").empty());
  EXPECT_THAT(texts(framer.feed(at(2ms), "next\r\n")), ElementsAre("next"));
}

TEST(LineFramer, EveryOneByteSplitOfACrLfStreamGivesTheSameLines) {
  const std::string stream = "a\r\nbb\r\n\r\nccc\r\n";
  LineFramer framer;
  std::vector<std::string> bytes;
  for (char c : stream) bytes.emplace_back(1, c);
  EXPECT_THAT(texts(feed_all(framer, bytes)), ElementsAre("a", "bb", "", "ccc"));
}

TEST(LineFramer, CrFollowedByTextEndsTheLineAndKeepsTheText) {
  LineFramer framer;
  EXPECT_THAT(texts(feed_all(framer, {"a\r", "b\n"})), ElementsAre("a", "b"));
}

TEST(LineFramer, EndingsWithNothingBeforeThemAreEmptyLines) {
  LineFramer framer;
  EXPECT_THAT(texts(framer.feed(at(0ms), "\n\r\n\r")), ElementsAre("", "", ""));
  // LF then CR is two endings, not one.
  EXPECT_THAT(texts(framer.feed(at(1ms), "x\n\ry\n")), ElementsAre("x", "", "y"));
}

// ---------------------------------------------------------------------------------------------
// Timestamps

TEST(LineFramer, LineTimeIsTheArrivalOfItsFirstByte) {
  LineFramer framer;
  EXPECT_TRUE(framer.feed(at(10ms), "0000000001 [sys").empty());
  EXPECT_TRUE(framer.feed(at(20ms), "tem] INFO: Cloud").empty());
  auto lines = framer.feed(at(30ms), " connected\r\nsecond begins");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].t, at(10ms));
  EXPECT_EQ(lines[0].text, "0000000001 [system] INFO: Cloud connected");

  lines = framer.feed(at(40ms), " and ends\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].t, at(30ms));
  EXPECT_EQ(lines[0].text, "second begins and ends");
}

TEST(LineFramer, ALineStartingRightAfterACrLfSplitIsStampedWhenItsBytesCame) {
  LineFramer framer;
  framer.feed(at(0ms), "a\r");
  framer.feed(at(5ms), "\n");
  framer.feed(at(9ms), "b");
  const auto lines = framer.feed(at(12ms), "\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].t, at(9ms));
}

TEST(LineFramer, AnEmptyLineIsStampedWithItsEnding) {
  LineFramer framer;
  const auto lines = framer.feed(at(7ms), "\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].t, at(7ms));
  EXPECT_EQ(lines[0].text, "");
}

// ---------------------------------------------------------------------------------------------
// Idle flush and close

TEST(LineFramer, IdleFlushWaitsIdleFlushAfterTheLastByte) {
  LineFramer framer;  // idle_flush 250 ms
  framer.feed(at(0ms), "Enter Wi-Fi SSID: ");
  framer.feed(at(100ms), "> ");
  EXPECT_FALSE(framer.flush_idle(at(349ms)));
  EXPECT_TRUE(framer.pending());
  const auto line = framer.flush_idle(at(350ms));
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "Enter Wi-Fi SSID: > ");
  EXPECT_EQ(line->t, at(0ms));
  EXPECT_TRUE(line->partial);
  EXPECT_FALSE(framer.pending());
  EXPECT_FALSE(framer.flush_idle(at(10s)));
}

TEST(LineFramer, TheEndingOfAnIdleFlushedLineDoesNotAddAnEmptyLine) {
  LineFramer framer;
  framer.feed(at(0ms), "prompt");
  ASSERT_TRUE(framer.flush_idle(at(1s)));
  EXPECT_TRUE(framer.feed(at(2s), "\r").empty());
  EXPECT_TRUE(framer.feed(at(2s), "\n").empty());
  // After that, endings mean what they always mean.
  EXPECT_THAT(texts(framer.feed(at(3s), "\r\n")), ElementsAre(""));
}

TEST(LineFramer, TextAfterAnIdleFlushStartsANewLine) {
  LineFramer framer;
  framer.feed(at(0ms), "slow ");
  ASSERT_TRUE(framer.flush_idle(at(300ms)));
  const auto lines = framer.feed(at(400ms), "writer\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "writer");
  EXPECT_EQ(lines[0].t, at(400ms));
  EXPECT_FALSE(lines[0].partial);
}

TEST(LineFramer, FlushHandsOutWhateverIsPending) {
  LineFramer framer;
  EXPECT_FALSE(framer.flush());
  framer.feed(at(3ms), "cut off by the port closing");
  const auto line = framer.flush();
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "cut off by the port closing");
  EXPECT_EQ(line->t, at(3ms));
  EXPECT_TRUE(line->partial);
  EXPECT_FALSE(framer.pending());
}

TEST(LineFramer, FlushForgetsAHalfSeenCrLf) {
  LineFramer framer;
  framer.feed(at(0ms), "before detach\r");
  EXPECT_FALSE(framer.flush());
  // The re-attached port's first LF is its own ending.
  EXPECT_THAT(texts(framer.feed(at(1s), "\nafter\n")), ElementsAre("", "after"));
}

// ---------------------------------------------------------------------------------------------
// Length limit

TEST(LineFramer, LongLinesAreCutAndContinueAsNewLines) {
  auto framer = framer_with_max_length(8);
  const auto lines = framer.feed(at(0ms), "0123456789abcdefXYZ\n");
  EXPECT_THAT(texts(lines), ElementsAre("01234567", "89abcdef", "XYZ"));
  EXPECT_TRUE(lines[0].partial);
  EXPECT_TRUE(lines[1].partial);
  EXPECT_FALSE(lines[2].partial);
  // The pieces after a cut say so, so that nobody counts them as lines of their own.
  EXPECT_FALSE(lines[0].continued);
  EXPECT_TRUE(lines[1].continued);
  EXPECT_TRUE(lines[2].continued);
  const auto next = framer.feed(at(1ms), "next\n");
  ASSERT_EQ(next.size(), 1u);
  EXPECT_FALSE(next[0].continued);
}

TEST(LineFramer, ACutLineFlushedByClosingEndsItsContinuation) {
  auto framer = framer_with_max_length(8);
  framer.feed(at(0ms), "0123456789");
  const auto rest = framer.flush();
  ASSERT_TRUE(rest);
  EXPECT_TRUE(rest->continued);
  EXPECT_FALSE(framer.feed(at(1ms), "next\n")[0].continued);
}

TEST(LineFramer, ALineOfExactlyMaxLengthIsWhole) {
  auto framer = framer_with_max_length(8);
  EXPECT_TRUE(framer.feed(at(0ms), "01234567").empty());
  const auto lines = framer.feed(at(1ms), "\r\n");
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0].text, "01234567");
  EXPECT_FALSE(lines[0].partial);
}

TEST(LineFramer, TheRestOfACutLineIsStampedWithItsOwnFirstByte) {
  auto framer = framer_with_max_length(8);
  framer.feed(at(0ms), "01234567");
  const auto cut = framer.feed(at(5ms), "89\n");
  ASSERT_EQ(cut.size(), 2u);
  EXPECT_EQ(cut[0].t, at(0ms));
  EXPECT_EQ(cut[1].t, at(5ms));
}

TEST(LineFramer, ACutNeverSplitsAUtf8Character) {
  // "abcdefg" + "é" (C3 A9): the cut falls between C3 and A9, so the whole "é" moves on.
  auto framer = framer_with_max_length(8);
  EXPECT_THAT(texts(framer.feed(at(0ms), "abcdefg\xc3\xa9z\n")), ElementsAre("abcdefg", "\xc3\xa9z"));
  // "€" (E2 82 AC) straddling the limit.
  EXPECT_THAT(texts(framer.feed(at(1ms), "abcdef\xe2\x82\xacz\n")), ElementsAre("abcdef", "\xe2\x82\xacz"));
  // A character that ends exactly at the limit stays.
  EXPECT_THAT(texts(framer.feed(at(2ms), "abcdef\xc3\xa9gh\n")), ElementsAre("abcdef\xc3\xa9", "gh"));
}

TEST(LineFramer, TinyMaxLengthStillFitsAnyCharacter) {
  auto framer = framer_with_max_length(1);
  EXPECT_EQ(framer.options().max_length, 4u);
  EXPECT_THAT(texts(framer.feed(at(0ms), "\xf0\x9d\x84\x9e\n")), ElementsAre("\xf0\x9d\x84\x9e"));
}

// ---------------------------------------------------------------------------------------------
// UTF-8

TEST(LineFramer, InvalidBytesBecomeHexEscapes) {
  LineFramer framer;
  EXPECT_THAT(texts(framer.feed(at(0ms), "noise \xff\xfe then \x80 text\r\n")),
              ElementsAre("noise \\xff\\xfe then \\x80 text"));
}

TEST(LineFramer, ValidMultiByteTextPassesUntouched) {
  LineFramer framer;
  const std::string text = "caf\xc3\xa9 \xe2\x82\xac 5 \xf0\x9f\x93\xa1 \xe6\xb8\xa9\xe5\xba\xa6";
  EXPECT_THAT(texts(framer.feed(at(0ms), text + "\n")), ElementsAre(text));
}

TEST(LineFramer, AMultiByteCharacterSplitAcrossFeedsArrivesWhole) {
  LineFramer framer;
  // U+1D11E (F0 9D 84 9E) in three feeds, U+00E9 in two.
  EXPECT_THAT(texts(feed_all(framer, {"clef \xf0", "\x9d\x84", "\x9e caf\xc3", "\xa9\r", "\n"})),
              ElementsAre("clef \xf0\x9d\x84\x9e caf\xc3\xa9"));
}

TEST(LineFramer, AnIncompleteCharacterLeftAtAFlushIsEscaped) {
  LineFramer framer;
  framer.feed(at(0ms), "x\xe2\x82");
  const auto line = framer.flush_idle(at(1s));
  ASSERT_TRUE(line);
  EXPECT_EQ(line->text, "x\\xe2\\x82");
}

TEST(LineFramer, AnIncompleteCharacterBeforeALineEndingIsEscaped) {
  LineFramer framer;
  EXPECT_THAT(texts(framer.feed(at(0ms), "abc\xc3\r\n")), ElementsAre("abc\\xc3"));
}

TEST(LineFramer, ManyLinesInOneFeed) {
  LineFramer framer;
  std::string stream;
  for (int i = 0; i < 1000; ++i) stream += "0000000001 [app] INFO: line " + std::to_string(i) + "\r\n";
  const auto lines = framer.feed(at(0ms), stream);
  ASSERT_EQ(lines.size(), 1000u);
  EXPECT_EQ(lines[999].text, "0000000001 [app] INFO: line 999");
}

}  // namespace
}  // namespace cyanrig
