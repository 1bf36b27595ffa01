#include "drivers/sim/network_segment.hpp"

#include <vector>

#include "drivers/sim/sim_log.hpp"

namespace cyanrig::sim {

void NetworkSegment::start_outage(const OutageSpec& spec) {
  sim_log().debug("segment {}: {} outage ({}) starts", name_, to_string(spec.mode), to_string(spec.action));
  outage_ = spec;
  changed();
}

void NetworkSegment::stop_outage() {
  if (!outage_) return;
  sim_log().debug("segment {}: {} outage ends", name_, to_string(outage_->mode));
  outage_.reset();
  changed();
}

NetworkSegment::WatcherId NetworkSegment::watch(Watcher watcher) {
  watchers_.emplace(++next_id_, std::move(watcher));
  return next_id_;
}

void NetworkSegment::changed() {
  std::vector<WatcherId> ids;
  for (const auto& [id, _] : watchers_) ids.push_back(id);
  for (const WatcherId id : ids) {
    const auto it = watchers_.find(id);
    if (it != watchers_.end()) it->second();
  }
}

}  // namespace cyanrig::sim
