#include <gtest/gtest.h>

#include "rig/core/duration_text.hpp"

using namespace cyanrig;
using namespace std::chrono_literals;

TEST(DurationText, AcceptsTheSpellingsLabEngineersWrite) {
  EXPECT_EQ(parse_duration("250ms").value, Duration(250ms));
  EXPECT_EQ(parse_duration("30s").value, Duration(30s));
  EXPECT_EQ(parse_duration("5m").value, Duration(5min));
  EXPECT_EQ(parse_duration("2min").value, Duration(2min));
  EXPECT_EQ(parse_duration("1h30m").value, Duration(90min));
  EXPECT_EQ(parse_duration("1.5s").value, Duration(1500ms));
  EXPECT_EQ(parse_duration("7d").value, Duration(168h));  // `cyanrig monitor --duration 7d`
}

TEST(DurationText, RejectsSpacesMissingUnitsAndUnknownUnitsWithAReason) {
  const auto spaced = parse_duration("10 mins");
  EXPECT_FALSE(spaced.value);
  EXPECT_NE(spaced.error.find("'10 mins'"), std::string::npos) << spaced.error;
  EXPECT_NE(spaced.error.find("unknown unit"), std::string::npos) << spaced.error;
  EXPECT_FALSE(parse_duration("5").value);
  EXPECT_NE(parse_duration("5").error.find("missing unit"), std::string::npos);
  EXPECT_FALSE(parse_duration("-5s").value);
  EXPECT_FALSE(parse_duration("").value);
  EXPECT_FALSE(parse_duration("5days").value);
}

TEST(DurationText, FormatsRoundTrip) {
  for (const Duration d : {Duration(250ms), Duration(30s), Duration(90min), Duration(1500ms), Duration(3h)}) {
    const std::string text = format_duration(d);
    EXPECT_EQ(parse_duration(text).value, d) << text;
  }
  EXPECT_EQ(format_duration(90min), "1h30m");
  EXPECT_EQ(format_duration(1500ms), "1.5s");
}

// Outage and power messages say how long something took; a measured time is never a whole number
// of milliseconds, and "11002050us" is not something a lab engineer reads at a glance.
TEST(DurationText, AnElapsedTimeIsToTheMillisecond) {
  EXPECT_EQ(format_elapsed(11002050us), "11.002s");
  EXPECT_EQ(format_elapsed(Duration(3min) + 500400us), "3m0.5s");
  EXPECT_EQ(format_elapsed(1499us), "1ms");
  EXPECT_EQ(format_elapsed(400us), "0s");
  EXPECT_EQ(format_elapsed(-2600us), "-3ms");
}
