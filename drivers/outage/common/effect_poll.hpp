// Looking for an outage's effect while it is in force: a check (a counter read, a link state) run
// now and then every `period`, one at a time, until the check says it has seen all it waits for or
// the outage is lifted.
#pragma once

#include <functional>
#include <memory>

#include "rig/clock.hpp"

namespace cyanrig {

class EffectPoll {
 public:
  // A check calls `again(true)` to be asked again after the period, `again(false)` when done.
  using Again = std::function<void(bool)>;
  using Check = std::function<void(Again again)>;

  EffectPoll(Clock& clock, Duration period) : clock_(clock), period_(period) {}

  // Replaces any poll under way; the first check runs on the loop, at once.
  void start(Check check);
  // A check still running finishes, but its answer is ignored and nothing more runs.
  void stop();
  bool running() const { return static_cast<bool>(check_); }

 private:
  void schedule(Duration delay);

  Clock& clock_;
  Duration period_;
  Check check_;
  Timer next_;
  std::shared_ptr<int> round_ = std::make_shared<int>(0);  // which poll an answer belongs to
};

}  // namespace cyanrig
