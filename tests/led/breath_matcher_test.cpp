// BreathMatcher alone (rig/led/breath_matcher.hpp, breath_ramp.cpp): a triangle from full to dark and
// back, named by its colour and period at its second extreme, dated where it began (at full
// brightness: a jump up, or inside a blink's lit phase it merged with).
#include "rig/led/breath_matcher.hpp"

#include <gtest/gtest.h>

#include "tests/led/matcher_harness.hpp"

namespace cyanrig::test {
namespace {

using led_detail::BreathMatcher;
using led_detail::Candidate;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<Candidate> breaths(const LedScript& script, double rate_hz) {
  BreathMatcher matcher{LedDecoderOptions{}};
  return propose(datasheet_samples(script, rate_hz), [&](const led_detail::LightTrack& track) -> Proposal {
    return matcher.on_point(track.point(), track);
  });
}

class BreathAtEveryRate : public testing::TestWithParam<double> {};

TEST_P(BreathAtEveryRate, NamesEachDefaultBreathWhereItBegan) {
  for (const char* state : {"breathing_white", "breathing_cyan", "breathing_green", "breathing_blue"}) {
    LedScript script;
    script.show(seconds(1), "off").show(seconds(10), state);
    const std::vector<Candidate> got = breaths(script, GetParam());
    SCOPED_TRACE(describe(got));
    const Candidate* c = first_named(got, state);
    ASSERT_NE(c, nullptr) << state;
    EXPECT_NEAR(to_ms(c->change.start - script.start_of(1)), 0, 25) << state;
  }
}

TEST_P(BreathAtEveryRate, NamesASlowerBreathUnknownWithItsPeriod) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(seconds(20), sim::LedSignal::breathe(Rgb::from_hex(0x00FFFF), seconds(8)));
  const std::vector<Candidate> got = breaths(script, GetParam());
  SCOPED_TRACE(describe(got));
  const Candidate* c = first_named(got, "unknown");
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->change.period.has_value());
  EXPECT_NEAR(to_seconds(*c->change.period), 8.0, 0.8);
  EXPECT_EQ(first_named(got, "breathing_cyan"), nullptr);
}

// The handshake's fast blink turning breathing cyan: a breath begun in a blink's lit phase shows no
// edge; it began where its line stands at the blink's lit reading (issue 13 item 9: it was dated at
// the blink's rise, up to a lit phase early).
TEST_P(BreathAtEveryRate, DatesABreathBegunInsideABlinksLitPhaseWhereItBegan) {
  for (const int into_lit_ms : {5, 20, 35, 48}) {
    LedScript script;
    script.show(seconds(1), "off")
        .show(milliseconds(2000 + into_lit_ms), "fast_blinking_cyan")
        .show(seconds(8), "breathing_cyan");
    const std::vector<Candidate> got = breaths(script, GetParam());
    SCOPED_TRACE(describe(got));
    const Candidate* c = first_named(got, "breathing_cyan");
    ASSERT_NE(c, nullptr);
    EXPECT_NEAR(to_ms(c->change.start - script.start_of(2)), 0, 25) << into_lit_ms << " ms into a lit phase";
  }
}

TEST_P(BreathAtEveryRate, NamesNoBreathInABlink) {
  LedScript script;
  script.show(seconds(1), "off").show(seconds(8), "blinking_cyan");
  EXPECT_TRUE(breaths(script, GetParam()).empty());
}

INSTANTIATE_TEST_SUITE_P(BreathMatcher, BreathAtEveryRate, kTestRates, rate_name);

}  // namespace
}  // namespace cyanrig::test
