#include "drivers/sim/led_animator.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <stdexcept>
#include <string>

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

// A run of `count` pulses (`on` lit, then `off` dark) followed by `gap` more dark: the building
// block of both the SOS pattern and the cloud-error flashes.
struct PulseTrain {
  int count;
  Duration on;
  Duration off;
  Duration gap;

  Duration length() const { return count * (on + off) + gap; }
  // Whether the LED is lit `into` the train (0 <= into < length()).
  bool lit_at(Duration into) const {
    if (into >= count * (on + off)) return false;
    return into % (on + off) < on;
  }
};

// device-os services/src/panic.c: "S", "O", "S", then the code as long pulses.
std::array<PulseTrain, 4> sos_trains(int code) {
  return {{
      {3, milliseconds(150), milliseconds(100), milliseconds(100)},
      {3, milliseconds(300), milliseconds(100), milliseconds(100)},
      {3, milliseconds(150), milliseconds(100), milliseconds(900)},
      {code, milliseconds(300), milliseconds(300), milliseconds(800)},
  }};
}

PulseTrain flash_train(int count) {
  return {count, led_periods::kCloudErrorFlash, led_periods::kCloudErrorFlash, Duration{0}};
}

bool sos_lit_at(Duration into_play, int code) {
  for (const PulseTrain& train : sos_trains(code)) {
    if (into_play < train.length()) return train.lit_at(into_play);
    into_play -= train.length();
  }
  return false;
}

// Breathing level: 1 at the start of the period, 0 half-way, 1 again at the end.
float breathe_level(Duration phase, Duration period) {
  const double half = to_ms(period) / 2.0;
  return static_cast<float>(std::abs(to_ms(phase) - half) / half);
}

// The animation's level (0..1) `elapsed` after it started, before colour and brightness.
float level_at(const LedSignal& signal, Duration elapsed) {
  switch (signal.shape) {
    case LedSignal::Shape::off:
      return 0;
    case LedSignal::Shape::solid:
      return 1;
    case LedSignal::Shape::blink:
      return elapsed % signal.period < signal.period / 2 ? 1.0F : 0.0F;
    case LedSignal::Shape::breathe:
      return breathe_level(elapsed % signal.period, signal.period);
    case LedSignal::Shape::sos:
      return sos_lit_at(elapsed % sos_play_length(signal.code), signal.code) ? 1.0F : 0.0F;
    case LedSignal::Shape::flashes: {
      const PulseTrain train = flash_train(signal.code);
      return elapsed < train.length() && train.lit_at(elapsed) ? 1.0F : 0.0F;
    }
  }
  return 0;
}

}  // namespace

LedSignal LedSignal::sos(int panic_code) {
  return {Shape::sos, Rgb::from_hex(0xFF0000), Duration{0}, panic_code};
}

LedSignal LedSignal::named(std::string_view canonical_state) {
  const DefaultLedSignal* signal = find_default_led_signal(canonical_state);
  if (signal == nullptr) {
    throw std::invalid_argument("no default LED signal called '" + std::string(canonical_state) + "'");
  }
  const NamedColour* colour = find_led_colour(signal->colour);
  switch (signal->pattern) {
    case LedPattern::dark:
      return off();
    case LedPattern::solid:
      return solid(colour->rgb);
    case LedPattern::blink:
      return blink(colour->rgb, signal->period);
    case LedPattern::breathe:
      return breathe(colour->rgb, signal->period);
  }
  return off();
}

Duration sos_play_length(int code) {
  Duration total{0};
  for (const PulseTrain& train : sos_trains(code)) total += train.length();
  return total;
}

Duration flashes_length(int count) {
  return flash_train(count).length();
}

void LedAnimator::show(Instant t, const LedSignal& signal) {
  signal_ = signal;
  since_ = t;
}

Rgb LedAnimator::emitted(Instant t) const {
  // Device OS recomputes the LED every 25 ms, so the light holds its value for a whole step.
  const Duration elapsed = std::max(t - since_, Duration{0});
  const Duration quantised = elapsed - elapsed % led_periods::kUpdateStep;
  return signal_.colour.scaled(brightness_ * level_at(signal_, quantised));
}

}  // namespace cyanrig::sim
