#include "rig/monitor/probe_schedule.hpp"

#include <algorithm>
#include <stdexcept>

namespace cyanrig::monitor {

ProbeSchedule::ProbeSchedule(std::vector<std::string> devices, Duration every, Instant start)
    : every_(every) {
  if (every <= Duration::zero()) throw std::invalid_argument("the probe period must be positive");
  const auto count = static_cast<Duration::rep>(devices.size());
  for (Duration::rep i = 0; i < count; ++i) {
    entries_.push_back(
        Due{.device = std::move(devices[static_cast<std::size_t>(i)]), .at = start + every * i / count});
  }
}

ProbeSchedule::Due ProbeSchedule::next() const {
  if (entries_.empty()) throw std::logic_error("ProbeSchedule::next on an empty schedule");
  return *std::min_element(entries_.begin(), entries_.end(),
                           [](const Due& a, const Due& b) { return a.at < b.at; });
}

void ProbeSchedule::done(const std::string& device, Instant ended) {
  for (Due& entry : entries_) {
    if (entry.device == device) entry.at = std::max(entry.at + every_, ended);
  }
}

}  // namespace cyanrig::monitor
