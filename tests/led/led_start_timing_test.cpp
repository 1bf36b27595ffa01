// When the decoder dates a state's start (issue 13 item 9): against the script's own switch time,
// at every phase of the pattern before it, at 50, 100 and 200 Hz, through the datasheet optics. The
// timing benchmark (led_timing_benchmark) measures the same against the simulator on a whole rack;
// these are the transitions it found dated wrong, each on its own.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include "drivers/led/sim/led_optics.hpp"
#include "drivers/sim/random.hpp"
#include "tests/led/led_trace_support.hpp"

namespace cyanrig::test {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kWithin = milliseconds(25);

struct Switch {
  std::string before, after;
  int from_ms = 0, to_ms = 0, step_ms = 1;  // how long `before` is shown: the phase of the switch
  std::optional<sim::LedSignal> signal;     // what shows `after`, when not its default signal
  std::string device;                       // whose optics (device_optics), else the datasheet's
  std::uint64_t seed = 0;                   // added to each trace's seed
};

// Every switch phase and rate whose `after` state is dated more than kWithin off the truth (the
// switch; for off, when the LED last emitted light), as "rate Hz, before for N ms: error".
std::vector<std::string> misdated(const Switch& s) {
  std::vector<std::string> out;
  for (const double rate : {50.0, 100.0, 200.0}) {
    for (int shown = s.from_ms; shown < s.to_ms; shown += s.step_ms) {
      LedScript script;
      script.show(seconds(1), "off").show(milliseconds(shown), s.before);
      if (s.signal)
        script.show(seconds(6), *s.signal);
      else
        script.show(seconds(6), s.after);
      SensorModel sensor;
      sensor.rate_hz = rate;
      sensor.seed = static_cast<std::uint64_t>(shown) * 7 + s.seed;
      sensor.optics = s.device.empty() ? sim::find_optics_variant("datasheet")->optics
                                       : sim::device_optics(sim::stream_seed(0, s.device, "led_optics"));
      const std::vector<LedStateChange> states = decode(script.sample(sensor));
      const Instant truth = s.after == "off" ? script.went_dark(script.start_of(2)) : script.start_of(2);
      std::string error = "not named";
      for (const LedStateChange& c : states) {
        if (c.state != s.after || c.start <= script.start_of(1)) continue;
        if (c.start - truth <= kWithin && truth - c.start <= kWithin)
          error.clear();
        else
          error = fmt::format("{:+.0f} ms", to_ms(c.start - truth));
        break;
      }
      if (!error.empty())
        out.push_back(fmt::format("{:.0f} Hz, {} for {} ms: {}", rate, s.before, shown, error));
    }
  }
  return out;
}

void expect_dated(const Switch& s) {
  const std::vector<std::string> wrong = misdated(s);
  EXPECT_TRUE(wrong.empty()) << s.after << " misdated " << wrong.size() << " times:\n  "
                             << fmt::format("{}", fmt::join(wrong, "\n  "));
}

// The handshake ends and breathing cyan begins: while a fast blink's lit phase is on, the breath
// (which starts at full brightness) hides its own start; it was dated to the blink's rise, up to a
// lit phase early (44-71% within 25 ms on the simulator).
TEST(LedStartTiming, BreathingAfterAFastBlinkIsDatedWhereTheBreathBegan) {
  expect_dated({"fast_blinking_cyan", "breathing_cyan", 2000, 2200, 3});
}

TEST(LedStartTiming, ABreathAfterASlowerBlinkIsDatedWhereItBegan) {
  expect_dated({"blinking_cyan", "breathing_cyan", 2000, 2200, 7});
}

// Fast blinking cyan slowing to blinking cyan while lit runs its lit phase into the new one: the new
// blink began where its first lit phase, half a period long, ends.
TEST(LedStartTiming, ASlowerBlinkOfTheSameColourIsDatedWhereItBegan) {
  expect_dated({"fast_blinking_cyan", "blinking_cyan", 2000, 2200, 3});
}

// Red flashes right after a cyan rise: one cyan reading, then red; the colour changed at the first
// red reading, not one later.
TEST(LedStartTiming, FlashesRightAfterABlinksRiseAreDatedAtTheColourChange) {
  expect_dated(
      {"blinking_cyan", "cloud_error", 2000, 2200, 3, sim::LedSignal::flashes(Rgb::from_hex(0xFF0000), 2)});
}

// The LED goes off a few readings into a blink's lit phase: that lit phase, too short to be a step,
// ends where off begins (it was dated 100-200 ms late, where the dark's blocks drifted apart). A lit
// phase shorter than about one reading is not seen at all; those phases are left out.
TEST(LedStartTiming, OffAfterABlinkCutShortIsDatedAtItsLastLight) {
  expect_dated({"blinking_cyan", "off", 2225, 2300, 3});
  expect_dated({"blinking_cyan", "off", 2100, 2200, 5});
}

// The LED goes off during a breath, the dark after it drifting with the room light: dated where the
// breath's light ended, not where the dark's blocks drifted apart a second later (these two traces
// were, 1.0 and 1.4 s late). (Around the trough, from 150 ms before it to 200 ms after, the breath's
// light is below what the sensor tells from dark, and off is dated up to 250 ms early.)
TEST(LedStartTiming, OffDuringABreathIsDatedAtItsLastLight) {
  expect_dated({"breathing_cyan", "off", 23185, 23186, 1, std::nullopt, "p2-1", 1});
  expect_dated({"breathing_cyan", "off", 22340, 22341, 1, std::nullopt, "argon-1", 2});
}

}  // namespace
}  // namespace cyanrig::test
