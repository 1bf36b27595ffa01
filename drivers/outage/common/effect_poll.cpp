#include "drivers/outage/common/effect_poll.hpp"

namespace cyanrig {

void EffectPoll::start(Check check) {
  stop();
  check_ = std::move(check);
  schedule(Duration{0});
}

void EffectPoll::stop() {
  next_.cancel();
  check_ = nullptr;
  ++*round_;
}

void EffectPoll::schedule(Duration delay) {
  next_ = clock_.after(delay, [this] {
    const std::weak_ptr<int> round = round_;
    const int mine = *round_;
    const Check check = check_;  // the check may stop this poll while it runs
    check([this, round, mine](bool again) {
      const auto current = round.lock();
      if (!current || *current != mine) return;  // stopped, restarted or destroyed meanwhile
      if (again) {
        schedule(period_);
      } else {
        check_ = nullptr;
      }
    });
  });
}

}  // namespace cyanrig
