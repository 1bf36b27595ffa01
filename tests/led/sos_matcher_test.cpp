// SosMatcher alone (rig/led/sos_matcher.hpp): the panic pattern's three dots, three dashes and three
// dots, then its code in dashes, named with the code once the code's gap is clear.
#include "rig/led/sos_matcher.hpp"

#include <gtest/gtest.h>

#include "tests/led/matcher_harness.hpp"

namespace cyanrig::test {
namespace {

using led_detail::Candidate;
using led_detail::SosMatcher;
using std::chrono::seconds;

std::vector<Candidate> soses(const LedScript& script, double rate_hz) {
  SosMatcher matcher;
  return propose(datasheet_samples(script, rate_hz), on_segments_and_time(matcher));
}

class SosAtEveryRate : public testing::TestWithParam<double> {};

TEST_P(SosAtEveryRate, NamesEachCodeExactlyAndDatesItAtItsFirstDot) {
  for (const int code : {1, 2, 7, 13, 20}) {
    LedScript script;
    script.show(seconds(1), "off")
        .show(2 * sim::sos_play_length(code), sim::LedSignal::sos(code))
        .show(seconds(2), "off");
    const std::vector<Candidate> got = soses(script, GetParam());
    SCOPED_TRACE(describe(got));
    const Candidate* c = first_named(got, "sos");
    ASSERT_NE(c, nullptr) << "code " << code;
    EXPECT_EQ(c->change.code, code);
    EXPECT_NEAR(to_ms(c->change.start - script.start_of(1)), 0, 25) << "code " << code;
    for (const Candidate& other : got) EXPECT_EQ(other.change.code, code) << "a later play named otherwise";
  }
}

// Red blinking at the dots' pace is no SOS: it never shows the dashes.
TEST_P(SosAtEveryRate, NamesNoSosInAFastRedBlink) {
  LedScript script;
  script.show(seconds(1), "off")
      .show(seconds(6), sim::LedSignal::blink(Rgb::from_hex(0xFF0000), std::chrono::milliseconds(300)));
  EXPECT_EQ(first_named(soses(script, GetParam()), "sos"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(SosMatcher, SosAtEveryRate, kTestRates, rate_name);

}  // namespace
}  // namespace cyanrig::test
