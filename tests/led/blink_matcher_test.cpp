// BlinkMatcher alone (rig/led/blink_matcher.hpp): periodic on/off light, named by its period and
// colour, dated at its first edge, through the datasheet's optics at 50, 100 and 200 Hz.
#include "rig/led/blink_matcher.hpp"

#include <gtest/gtest.h>

#include "tests/led/matcher_harness.hpp"

namespace cyanrig::test {
namespace {

using led_detail::BlinkMatcher;
using led_detail::Candidate;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<Candidate> blinks(const LedScript& script, double rate_hz) {
  BlinkMatcher blink{LedDecoderOptions{}};
  return propose(datasheet_samples(script, rate_hz), [&](const led_detail::LightTrack& track) -> Proposal {
    if (!track.closed()) return std::nullopt;
    return blink.on_segment(*track.closed(), track);
  });
}

class BlinkAtEveryRate : public testing::TestWithParam<double> {};

TEST_P(BlinkAtEveryRate, NamesEachDefaultBlinkAtItsFirstRiseWithinOneAndAHalfPeriods) {
  for (const char* state : {"blinking_green", "blinking_cyan", "fast_blinking_cyan", "blinking_blue"}) {
    const DefaultLedSignal* signal = find_default_led_signal(state);
    ASSERT_NE(signal, nullptr) << state;
    LedScript script;
    script.show(seconds(1), "off").show(seconds(4), state).show(seconds(1), "off");
    const std::vector<Candidate> got = blinks(script, GetParam());
    SCOPED_TRACE(describe(got));
    const Candidate* c = first_named(got, state);
    ASSERT_NE(c, nullptr) << state;
    EXPECT_NEAR(to_ms(c->change.start - script.start_of(1)), 0, 15) << state;
    EXPECT_LE(c->change.recognised - script.start_of(1), signal->period * 3 / 2) << state;
  }
}

TEST_P(BlinkAtEveryRate, NamesACustomPeriodUnknownWithWhatItMeasured) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(seconds(5), sim::LedSignal::blink(Rgb::from_hex(0x00FF00), milliseconds(300)));
  const std::vector<Candidate> got = blinks(script, GetParam());
  SCOPED_TRACE(describe(got));
  const Candidate* c = first_named(got, "unknown");
  ASSERT_NE(c, nullptr);
  ASSERT_TRUE(c->change.period.has_value());
  EXPECT_NEAR(to_ms(*c->change.period), 300, 15);
  ASSERT_TRUE(c->change.rgb.has_value());
  EXPECT_GT(c->change.rgb->g, 0.9F);
  EXPECT_EQ(first_named(got, "blinking_green"), nullptr);
}

// Fast blinking cyan slowing to blinking cyan while lit: the slower blink's first lit phase runs on
// from the faster one's, with no edge of its own; it began half a (default) period before its first
// fall.
TEST_P(BlinkAtEveryRate, DatesASlowerBlinkBegunWhileLitHalfAPeriodBeforeItsFirstFall) {
  for (const int lit_ms : {10, 25, 40}) {
    LedScript script;
    script.show(seconds(1), "off")
        .show(milliseconds(2000 + lit_ms), "fast_blinking_cyan")
        .show(seconds(3), "blinking_cyan");
    const std::vector<Candidate> got = blinks(script, GetParam());
    SCOPED_TRACE(describe(got));
    const Candidate* c = first_named(got, "blinking_cyan");
    ASSERT_NE(c, nullptr);
    EXPECT_NEAR(to_ms(c->change.start - script.start_of(2)), 0, 25) << lit_ms << " ms into a lit phase";
  }
}

TEST_P(BlinkAtEveryRate, NamesNothingInSteadyLight) {
  LedScript script;
  script.show(seconds(1), "off").show(seconds(4), sim::LedSignal::solid(Rgb::from_hex(0x00FFFF)));
  EXPECT_TRUE(blinks(script, GetParam()).empty());
}

INSTANTIATE_TEST_SUITE_P(BlinkMatcher, BlinkAtEveryRate, kTestRates, rate_name);

}  // namespace
}  // namespace cyanrig::test
