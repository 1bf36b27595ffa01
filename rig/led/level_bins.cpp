#include "rig/led/level_bins.hpp"

#include <algorithm>

#include "rig/led/led_candidate.hpp"

namespace cyanrig::led_detail {

std::optional<std::int64_t> LevelBins::add(Instant t, double level) {
  const std::int64_t number = (t - start_) / kWidth;
  std::optional<std::int64_t> closed;
  if (number != open_) {
    if (open_ >= 0) {
      Bin& last = slot(open_);
      if (last.n > 0) last = {last.n, last.t / last.n, last.level / last.n};
      closed = open_;
    }
    for (std::int64_t i = std::max(open_ + 1, number - kSlots + 1); i <= number; ++i) slot(i) = {};
    open_ = number;
  }
  Bin& bin = slot(number);
  bin.n += 1;
  bin.t += to_s(t - start_);
  bin.level += level;
  return closed;
}

const LevelBins::Bin& LevelBins::closed(std::int64_t number) const {
  if (number < 0 || number >= open_ || number < open_ - kCount) return empty_;
  return bins_[static_cast<std::size_t>(number % kSlots)];
}

}  // namespace cyanrig::led_detail
