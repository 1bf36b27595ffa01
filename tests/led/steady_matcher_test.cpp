// SteadyMatcher alone (rig/led/steady_matcher.hpp): light that holds (off, solid gray, a solid
// colour named unknown), named once it has held long enough, dated where it began.
#include "rig/led/steady_matcher.hpp"

#include <gtest/gtest.h>

#include "tests/led/matcher_harness.hpp"

namespace cyanrig::test {
namespace {

using led_detail::Candidate;
using led_detail::SteadyMatcher;
using std::chrono::milliseconds;
using std::chrono::seconds;

// Each run proposed once: the decoder settles a steady run it accepted.
std::vector<Candidate> steadies(const LedScript& script, double rate_hz) {
  SteadyMatcher matcher{LedDecoderOptions{}};
  return propose(datasheet_samples(script, rate_hz), [&](const led_detail::LightTrack& track) -> Proposal {
    Proposal c = matcher.on_point(track.point(), track, false);
    if (c) matcher.settled();
    return c;
  });
}

class SteadyAtEveryRate : public testing::TestWithParam<double> {};

TEST_P(SteadyAtEveryRate, NamesOffAfterABlinkWhereTheLightLastFell) {
  LedScript script;
  script.show(seconds(1), "off").show(seconds(2), "blinking_green").show(seconds(3), "off");
  const std::vector<Candidate> got = steadies(script, GetParam());
  SCOPED_TRACE(describe(got));
  ASSERT_FALSE(got.empty());
  EXPECT_EQ(got.back().change.state, "off");
  EXPECT_NEAR(to_ms(got.back().change.start - script.went_dark(script.start_of(2))), 0, 25);
}

// The LED going off a reading or two into a blink's lit phase: that phase is too brief to step, yet
// it is where the light was last on.
TEST_P(SteadyAtEveryRate, NamesOffAfterABlinkCutShortAtItsLastLight) {
  for (const int lit_ms : {25, 30, 40}) {
    LedScript script;
    script.show(seconds(1), "off").show(milliseconds(2200 + lit_ms), "blinking_cyan").show(seconds(3), "off");
    const std::vector<Candidate> got = steadies(script, GetParam());
    SCOPED_TRACE(describe(got));
    ASSERT_FALSE(got.empty());
    EXPECT_EQ(got.back().change.state, "off");
    EXPECT_NEAR(to_ms(got.back().change.start - script.went_dark(script.start_of(2))), 0, 25) << lit_ms;
  }
}

TEST_P(SteadyAtEveryRate, NamesSolidGrayAndASolidColourWhereTheyBegan) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(seconds(3), sim::LedSignal::solid(Rgb::from_hex(0x1F1F1F)))
      .show(seconds(3), sim::LedSignal::solid(Rgb::from_hex(0x00FF80)));
  const std::vector<Candidate> got = steadies(script, GetParam());
  SCOPED_TRACE(describe(got));
  const Candidate* gray = first_named(got, "solid_gray");
  ASSERT_NE(gray, nullptr);
  EXPECT_NEAR(to_ms(gray->change.start - script.start_of(1)), 0, 25);
  const Candidate* colour = first_named(got, "unknown");
  ASSERT_NE(colour, nullptr);
  EXPECT_NEAR(to_ms(colour->change.start - script.start_of(2)), 0, 25);
}

// A blink is no steady light: at most the dark before it is named.
TEST_P(SteadyAtEveryRate, NamesNothingButOffInABlink) {
  LedScript script;
  script.show(seconds(2), "off").show(seconds(4), "fast_blinking_cyan");
  for (const Candidate& c : steadies(script, GetParam())) EXPECT_EQ(c.change.state, "off");
}

INSTANTIATE_TEST_SUITE_P(SteadyMatcher, SteadyAtEveryRate, kTestRates, rate_name);

}  // namespace
}  // namespace cyanrig::test
