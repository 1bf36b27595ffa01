// Waiting on a device's timeline: until an observation holds for the flow's device inside a window,
// with a deadline. A wait is re-checked whenever the device records an event, at the window's edges
// and when late LED states can no longer change the answer; it ends exactly once, by `pass` or
// `timed_out`, unless the flow's step ends first (end_wait).
#pragma once

#include <functional>

#include "rig/engine/flow.hpp"
#include "rig/engine/run_context.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig {

class Waits {
 public:
  explicit Waits(RunContext& run) : run_(run) {}

  void wait_for(Flow& f, const Observation& what, Instant from, Instant until, std::function<void()> pass,
                std::function<void()> timed_out);
  // Also re-checks `check` whenever a rack-wide event of `kind` is recorded (the cloud stream's state).
  void also_on_rack_events(Flow& f, EventKind kind, std::function<void()> check);
  // Ends whatever the flow waits for: its timers and listeners go.
  void end_wait(Flow& f);

 private:
  RunContext& run_;
};

}  // namespace cyanrig
