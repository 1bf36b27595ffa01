// Scheduling helpers for the simulated world, on top of the run's Clock.
//
// A simulated subsystem does one thing after another (a boot, a handshake, an OTA), and must be able
// to drop everything at once when the power goes. StepChain is that: steps that run in order, each
// a delay after the previous one, all cancelled by stop(). Pending is a set of independent one-shot
// callbacks (cloud requests in flight) with the same all-at-once cancel; with a zero delay it is the
// simulated world's clock.post(): it runs on the loop after work already queued, but unlike a post it
// is cancelled when its owner goes away.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>

#include "rig/clock.hpp"

namespace cyanrig::sim {

class StepChain {
 public:
  using Step = std::function<void()>;

  explicit StepChain(Clock& clock) : clock_(clock) {}
  StepChain(const StepChain&) = delete;
  StepChain& operator=(const StepChain&) = delete;

  // Runs `step` `delay` after the previous step of the chain ran (or from now if the chain is idle).
  StepChain& then(Duration delay, Step step);
  // Drops every step that has not run yet.
  void stop();
  bool idle() const { return steps_.empty(); }

 private:
  struct Queued {
    Duration delay;
    Step step;
  };
  void arm();
  void fire();

  Clock& clock_;
  std::deque<Queued> steps_;
  Timer timer_;
};

class Pending {
 public:
  explicit Pending(Clock& clock) : clock_(clock) {}
  Pending(const Pending&) = delete;
  Pending& operator=(const Pending&) = delete;

  void after(Duration delay, std::function<void()> fn);
  void clear() { timers_.clear(); }
  std::size_t size() const { return timers_.size(); }

 private:
  Clock& clock_;
  std::uint64_t next_ = 0;
  std::map<std::uint64_t, Timer> timers_;
};

}  // namespace cyanrig::sim
