#include "drivers/sim/led_animator.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <stdexcept>

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

Instant at_ms(int ms) {
  return run_start() + milliseconds(ms);
}

// Brightness 1 so that the expected values are the animation's own levels.
float level_at(const LedSignal& signal, int ms, int shown_at_ms = 0) {
  LedAnimator animator(1.0F);
  animator.show(at_ms(shown_at_ms), signal);
  const Rgb e = animator.emitted(at_ms(ms));
  return std::max(e.r, std::max(e.g, e.b));
}

bool lit_at(const LedSignal& signal, int ms) {
  return level_at(signal, ms) > 0;
}

TEST(LedAnimator, BlinkIsOnForTheFirstHalfOfThePeriod) {
  const LedSignal blink = LedSignal::blink(Rgb::from_hex(0x00FFFF), milliseconds(200));
  EXPECT_EQ(level_at(blink, 0), 1.0F);
  EXPECT_EQ(level_at(blink, 99), 1.0F);
  EXPECT_EQ(level_at(blink, 100), 0.0F);
  EXPECT_EQ(level_at(blink, 199), 0.0F);
  EXPECT_EQ(level_at(blink, 200), 1.0F);
  EXPECT_EQ(level_at(blink, 1000 + 150), 0.0F);
}

TEST(LedAnimator, BreathingIsALinearTriangleFullAtTheStart) {
  const LedSignal breathe = LedSignal::breathe(Rgb::from_hex(0xFFFFFF), milliseconds(4000));
  EXPECT_FLOAT_EQ(level_at(breathe, 0), 1.0F);
  EXPECT_FLOAT_EQ(level_at(breathe, 1000), 0.5F);
  EXPECT_FLOAT_EQ(level_at(breathe, 2000), 0.0F);
  EXPECT_FLOAT_EQ(level_at(breathe, 3000), 0.5F);
  EXPECT_FLOAT_EQ(level_at(breathe, 4000), 1.0F);
  EXPECT_FLOAT_EQ(level_at(breathe, 5000), 0.5F);
}

TEST(LedAnimator, LightChangesOnlyIn25msStepsFromTheShow) {
  const LedSignal breathe = LedSignal::breathe(Rgb::from_hex(0xFFFFFF), milliseconds(4000));
  EXPECT_FLOAT_EQ(level_at(breathe, 1024), 0.5F);
  EXPECT_FLOAT_EQ(level_at(breathe, 1025), 0.4875F);
  // Steps count from the show, not from the run's start.
  EXPECT_FLOAT_EQ(level_at(breathe, 1010 + 1024, 1010), 0.5F);
  EXPECT_FLOAT_EQ(level_at(breathe, 1010 + 1025, 1010), 0.4875F);
  const LedSignal blink = LedSignal::blink(Rgb::from_hex(0x00FF00), milliseconds(100));
  EXPECT_EQ(level_at(blink, 49), 1.0F);
  EXPECT_EQ(level_at(blink, 50), 0.0F);
}

TEST(LedAnimator, ShowRestartsTheAnimation) {
  LedAnimator animator(1.0F);
  const LedSignal blink = LedSignal::blink(Rgb::from_hex(0x00FF00), milliseconds(200));
  animator.show(at_ms(0), blink);
  EXPECT_EQ(animator.emitted(at_ms(1150)).g, 0.0F);
  animator.show(at_ms(1150), blink);
  EXPECT_EQ(animator.emitted(at_ms(1150)).g, 1.0F);
  EXPECT_EQ(animator.emitted(at_ms(1250)).g, 0.0F);
}

TEST(LedAnimator, BrightnessScalesTheColour) {
  LedAnimator animator;  // Device OS default 96/255
  animator.show(run_start(), LedSignal::solid(Rgb::from_hex(0xFF6000)));
  const Rgb e = animator.emitted(at_ms(10));
  EXPECT_FLOAT_EQ(e.r, 96.0F / 255.0F);
  EXPECT_FLOAT_EQ(e.g, (96.0F / 255.0F) * (0x60 / 255.0F));
  EXPECT_FLOAT_EQ(e.b, 0.0F);
  animator.show(run_start(), LedSignal::off());
  EXPECT_EQ(animator.emitted(at_ms(10)).r, 0.0F);
}

// panic.c: 3 x (150 on, 100 off) +100; 3 x (300 on, 100 off) +100; 3 x (150 on, 100 off) +900;
// then 13 x (300 on, 300 off) +800; then the play repeats.
TEST(LedAnimator, SosThirteenFollowsThePanicTimeline) {
  struct Pulse {
    int on, off;
  };
  std::vector<Pulse> play;
  for (int i = 0; i < 3; ++i) play.push_back({150, i == 2 ? 200 : 100});
  for (int i = 0; i < 3; ++i) play.push_back({300, i == 2 ? 200 : 100});
  for (int i = 0; i < 3; ++i) play.push_back({150, i == 2 ? 1000 : 100});
  for (int i = 0; i < 13; ++i) play.push_back({300, i == 12 ? 1100 : 300});

  const LedSignal sos = LedSignal::sos(13);
  EXPECT_EQ(sos_play_length(13), milliseconds(12400));
  for (const int play_start : {0, 12400}) {
    int t = play_start;
    for (const Pulse& p : play) {
      SCOPED_TRACE(t);
      EXPECT_TRUE(lit_at(sos, t));
      EXPECT_TRUE(lit_at(sos, t + p.on - 1));
      EXPECT_FALSE(lit_at(sos, t + p.on));
      EXPECT_FALSE(lit_at(sos, t + p.on + p.off - 1));
      t += p.on + p.off;
    }
    EXPECT_EQ(t - play_start, 12400);
  }
  LedAnimator animator(1.0F);
  animator.show(run_start(), sos);
  EXPECT_EQ(animator.emitted(at_ms(10)).r, 1.0F);
  EXPECT_EQ(animator.emitted(at_ms(10)).g, 0.0F);
}

TEST(LedAnimator, FlashesAreCountFlashesOf250msThenDark) {
  const LedSignal flashes = LedSignal::flashes(Rgb::from_hex(0xFF6000), 3);
  EXPECT_EQ(flashes_length(3), milliseconds(1500));
  for (const int start : {0, 500, 1000}) {
    EXPECT_TRUE(lit_at(flashes, start));
    EXPECT_TRUE(lit_at(flashes, start + 249));
    EXPECT_FALSE(lit_at(flashes, start + 250));
    EXPECT_FALSE(lit_at(flashes, start + 499));
  }
  EXPECT_FALSE(lit_at(flashes, 1500));
  EXPECT_FALSE(lit_at(flashes, 5000));
}

TEST(LedAnimator, NamedSignalsFollowTheDefaultTable) {
  for (const DefaultLedSignal& d : default_led_signals()) {
    if (d.state == "off") continue;
    SCOPED_TRACE(std::string(d.state));
    const LedSignal s = LedSignal::named(d.state);
    const NamedColour* colour = find_led_colour(d.colour);
    ASSERT_NE(colour, nullptr);
    EXPECT_EQ(s.colour.r, colour->rgb.r);
    EXPECT_EQ(s.colour.g, colour->rgb.g);
    EXPECT_EQ(s.colour.b, colour->rgb.b);
    EXPECT_EQ(s.period, d.period);
  }
  EXPECT_EQ(LedSignal::named("breathing_cyan").shape, LedSignal::Shape::breathe);
  EXPECT_EQ(LedSignal::named("breathing_cyan").period, milliseconds(4000));
  EXPECT_EQ(LedSignal::named("fast_blinking_green").period, milliseconds(100));
  EXPECT_EQ(LedSignal::named("blinking_blue").period, milliseconds(500));
  EXPECT_EQ(LedSignal::named("blinking_yellow").period, milliseconds(200));
  EXPECT_EQ(LedSignal::named("solid_gray").shape, LedSignal::Shape::solid);
  EXPECT_THROW(LedSignal::named("sos"), std::invalid_argument);
  EXPECT_THROW(LedSignal::named("breathing_purple"), std::invalid_argument);
}

}  // namespace
}  // namespace cyanrig::sim
