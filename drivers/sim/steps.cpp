#include "drivers/sim/steps.hpp"

namespace cyanrig::sim {

StepChain& StepChain::then(Duration delay, Step step) {
  steps_.push_back({delay, std::move(step)});
  if (steps_.size() == 1) arm();
  return *this;
}

void StepChain::stop() {
  timer_.cancel();
  steps_.clear();
}

void StepChain::arm() {
  timer_ = clock_.after(steps_.front().delay, [this] { fire(); });
}

void StepChain::fire() {
  // Taken off the chain before it runs: the step may stop the chain or add to it.
  Step step = std::move(steps_.front().step);
  steps_.pop_front();
  if (!steps_.empty()) arm();
  step();
}

void Pending::after(Duration delay, std::function<void()> fn) {
  const std::uint64_t id = ++next_;
  timers_.emplace(id, clock_.after(delay, [this, id, fn = std::move(fn)] {
    // Forget the spent timer first, so the callback may clear() or schedule more.
    timers_.erase(id);
    fn();
  }));
}

}  // namespace cyanrig::sim
