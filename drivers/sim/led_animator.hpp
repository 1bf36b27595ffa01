// Device OS's LED pattern engine, as a pure function of time: what the status LED emits.
// (device-os system_led_signal.cpp / led_service.cpp, summarised in particle-reference.md §2.)
#pragma once

#include "rig/core/time.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig::sim {

struct LedSignal {
  enum class Shape {
    off,      // dark
    solid,    // constant colour
    blink,    // on for the first half of period, off for the second
    breathe,  // linear triangle: full at t=0, zero at period/2, full at period
    sos,      // the panic pattern with `code` (played repeatedly; the device resets after two plays)
    flashes,  // `code` flashes of 250 ms on / 250 ms off, then dark (cloud-error flashes)
  };
  Shape shape = Shape::off;
  Rgb colour;
  Duration period{0};
  int code = 0;

  static LedSignal off() { return {}; }
  static LedSignal solid(Rgb c) { return {Shape::solid, c, Duration{0}, 0}; }
  static LedSignal blink(Rgb c, Duration p) { return {Shape::blink, c, p, 0}; }
  static LedSignal breathe(Rgb c, Duration p) { return {Shape::breathe, c, p, 0}; }
  static LedSignal sos(int panic_code);
  static LedSignal flashes(Rgb c, int count) { return {Shape::flashes, c, Duration{0}, count}; }
  // Named default signals: "breathing_cyan", "fast_blinking_green", ... (not sos/cloud_error/off).
  static LedSignal named(std::string_view canonical_state);
};

// Length of one SOS play and of a run of `count` cloud-error flashes.
Duration sos_play_length(int code);
Duration flashes_length(int count);

class LedAnimator {
 public:
  // Brightness 0..1 (Device OS default 96/255).
  explicit LedAnimator(float brightness = 96.0F / 255.0F) : brightness_(brightness) {}
  // Starts showing `signal` at `t`; the animation restarts as Device OS does on a pattern change.
  void show(Instant t, const LedSignal& signal);
  // Light emitted at `t` (>= the last show), quantised to the LED's 25 ms update steps.
  Rgb emitted(Instant t) const;
  const LedSignal& signal() const { return signal_; }

 private:
  float brightness_;
  LedSignal signal_;
  Instant since_;
};

}  // namespace cyanrig::sim
