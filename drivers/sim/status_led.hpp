// A simulated device's status LED (particle-reference.md §2): the signal the system shows for its
// state, signals played over it for a while (cloud-error flashes, SOS), and a short memory of what
// was emitted, because a colour sensor reads its samples in batches slightly in the past.
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/sim/led_animator.hpp"
#include "rig/clock.hpp"

namespace cyanrig::sim {

class StatusLed {
 public:
  // Told of every change on the LED: canonical name ("breathing_cyan", "cloud_error", "sos", "off").
  using Watcher = std::function<void(Instant, std::string_view name, const LedSignal&)>;

  explicit StatusLed(Clock& clock);
  StatusLed(const StatusLed&) = delete;
  StatusLed& operator=(const StatusLed&) = delete;

  // The state's default signal by canonical name ("off" included). Showing what is already shown
  // does not restart the animation; during an overlay the new state waits for the overlay to end.
  void show(std::string_view state);
  void show(std::string_view name, const LedSignal& signal);
  // Plays `signal` over the state's signal for `length`, then returns to the state's signal.
  void play_over(std::string_view name, const LedSignal& signal, Duration length);
  // Shows `signal` at once, dropping any overlay (SOS: a panic interrupts everything).
  void replace(std::string_view name, const LedSignal& signal);
  // Power loss, sleep, reset: dark at once, any overlay forgotten.
  void go_dark() { replace("off", LedSignal::off()); }
  // The application took the LED (RGB.control(true)): `signal` until release(); the system's own
  // changes wait meanwhile and its overlays are not shown. replace() (panic, power loss, sleep,
  // reset) ends the control, as a reset ends the application.
  void control(std::string_view name, const LedSignal& signal);
  void release();

  // Light emitted at `t`, which may lie up to a second in the past.
  Rgb emitted(Instant t) const;
  const std::string& showing() const { return showing_; }
  void watch(Watcher watcher) { watchers_.push_back(std::move(watcher)); }

 private:
  struct Shown {
    Instant since;
    LedAnimator animator;
  };
  void apply(std::string_view name, const LedSignal& signal);

  Clock& clock_;
  std::string base_name_ = "off";
  LedSignal base_signal_;
  std::string showing_ = "off";
  Timer overlay_;
  bool controlled_ = false;    // by the application
  std::deque<Shown> history_;  // oldest first
  std::vector<Watcher> watchers_;
};

}  // namespace cyanrig::sim
