#include "drivers/sim/status_led.hpp"

#include <algorithm>
#include <chrono>

namespace cyanrig::sim {
namespace {

// How far back emitted() can look: a sensor batch spans 200 ms plus jitter; keep ample margin.
constexpr Duration kMemory = std::chrono::seconds(2);

LedSignal signal_for(std::string_view state) {
  return state == "off" ? LedSignal::off() : LedSignal::named(state);
}

}  // namespace

StatusLed::StatusLed(Clock& clock) : clock_(clock) {
  LedAnimator dark;
  dark.show(run_start(), LedSignal::off());
  history_.push_back({run_start(), dark});
}

void StatusLed::show(std::string_view state) {
  show(state, signal_for(state));
}

void StatusLed::show(std::string_view name, const LedSignal& signal) {
  if (name == base_name_ && !overlay_.scheduled()) return;
  base_name_ = name;
  base_signal_ = signal;
  if (!overlay_.scheduled() && !controlled_) apply(name, signal);
}

void StatusLed::play_over(std::string_view name, const LedSignal& signal, Duration length) {
  if (controlled_) return;
  apply(name, signal);
  overlay_ = clock_.after(length, [this] { apply(base_name_, base_signal_); });
}

void StatusLed::replace(std::string_view name, const LedSignal& signal) {
  overlay_.cancel();
  controlled_ = false;
  base_name_ = name;
  base_signal_ = signal;
  const bool already_dark = name == "off" && showing_ == "off";
  if (!already_dark) apply(name, signal);
}

void StatusLed::control(std::string_view name, const LedSignal& signal) {
  overlay_.cancel();
  controlled_ = true;
  apply(name, signal);
}

void StatusLed::release() {
  if (!controlled_) return;
  controlled_ = false;
  apply(base_name_, base_signal_);
}

void StatusLed::apply(std::string_view name, const LedSignal& signal) {
  const Instant now = clock_.now();
  showing_ = name;
  LedAnimator animator;
  animator.show(now, signal);
  // Two changes at the same instant: only the last one was ever visible.
  if (!history_.empty() && history_.back().since == now) history_.pop_back();
  history_.push_back({now, animator});
  while (history_.size() > 1 && history_[1].since < now - kMemory) history_.pop_front();
  for (const Watcher& w : watchers_) w(now, showing_, signal);
}

Rgb StatusLed::emitted(Instant t) const {
  // The pattern shown last before t (clang 14 cannot compile libstdc++ 12's views::reverse).
  const auto shown =
      std::find_if(history_.rbegin(), history_.rend(), [&](const auto& s) { return s.since <= t; });
  if (shown != history_.rend()) return shown->animator.emitted(t);
  return {};  // before anything was shown: the LED was dark
}

}  // namespace cyanrig::sim
