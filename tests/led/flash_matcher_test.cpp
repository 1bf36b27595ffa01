// FlashMatcher alone (rig/led/flash_matcher.hpp): a burst of 1-3 cloud-error flashes (250 ms on,
// 250 ms off) in red, orange or magenta, counted exactly and dated at the first flash.
#include "rig/led/flash_matcher.hpp"

#include <gtest/gtest.h>

#include "tests/led/matcher_harness.hpp"

namespace cyanrig::test {
namespace {

using led_detail::Candidate;
using led_detail::FlashMatcher;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::vector<Candidate> flashes(const LedScript& script, double rate_hz) {
  FlashMatcher matcher;
  return propose(datasheet_samples(script, rate_hz), on_segments_and_time(matcher));
}

class FlashAtEveryRate : public testing::TestWithParam<double> {};

TEST_P(FlashAtEveryRate, CountsEachBurstAndNamesItsColour) {
  for (const auto& [colour, hex] :
       {std::pair{"red", 0xFF0000}, {"orange", 0xFF6000}, {"magenta", 0xFF00FF}}) {
    for (int count = 1; count <= 3; ++count) {
      LedScript script;
      script.show(seconds(1), "blinking_cyan")
          .show(seconds(2), sim::LedSignal::flashes(Rgb::from_hex(static_cast<std::uint32_t>(hex)), count))
          .show(seconds(1), "blinking_cyan");
      const std::vector<Candidate> got = flashes(script, GetParam());
      SCOPED_TRACE(describe(got));
      const Candidate* c = first_named(got, "cloud_error");
      ASSERT_NE(c, nullptr) << colour << " x" << count;
      EXPECT_EQ(c->change.count, count) << colour;
      EXPECT_EQ(c->change.colour, colour);
      EXPECT_NEAR(to_ms(c->change.start - script.start_of(1)), 0, 25) << colour << " x" << count;
    }
  }
}

// Cyan blinking is not a flash colour, and four flashes are no cloud error.
TEST_P(FlashAtEveryRate, NamesNeitherAnotherColourNorALongerBurst) {
  LedScript cyan;
  cyan.show(seconds(1), "off").show(seconds(3), "blinking_cyan");
  EXPECT_TRUE(flashes(cyan, GetParam()).empty());
  LedScript four;
  four.show(seconds(1), "off")
      .show(seconds(3), sim::LedSignal::flashes(Rgb::from_hex(0xFF0000), 4))
      .show(seconds(1), "off");
  EXPECT_EQ(first_named(flashes(four, GetParam()), "cloud_error"), nullptr);
}

INSTANTIATE_TEST_SUITE_P(FlashMatcher, FlashAtEveryRate, kTestRates, rate_name);

}  // namespace
}  // namespace cyanrig::test
