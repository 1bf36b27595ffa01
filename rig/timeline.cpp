#include "rig/timeline.hpp"

#include <vector>

#include "rig/clock.hpp"

namespace cyanrig {

std::string_view to_string(EventKind kind) {
  switch (kind) {
    case EventKind::run:
      return "run";
    case EventKind::step:
      return "step";
    case EventKind::power:
      return "power";
    case EventKind::outage:
      return "outage";
    case EventKind::serial:
      return "serial";
    case EventKind::serial_link:
      return "serial_link";
    case EventKind::devos:
      return "devos";
    case EventKind::led:
      return "led";
    case EventKind::cloud:
      return "cloud";
    case EventKind::mark:
      return "mark";
    case EventKind::measurement:
      return "measurement";
    case EventKind::failure:
      return "failure";
    case EventKind::note:
      return "note";
  }
  return "note";
}

Instant Event::began() const {
  if (data.is_object()) {
    if (const auto it = data.find("since_ms"); it != data.end() && it->is_number()) {
      return Instant{Duration{static_cast<Duration::rep>(it->get<double>() * 1000.0)}};
    }
  }
  return t;
}

const Event& Timeline::record(EventKind kind, std::string device, std::string name, nlohmann::json data) {
  Event& e = events_.emplace_back();
  e.seq = events_.size();
  e.t = clock_.now();
  e.kind = kind;
  e.device = std::move(device);
  e.name = std::move(name);
  e.data = std::move(data);
  index_[{e.device, e.kind}].push_back(&e);
  // Listeners may subscribe or unsubscribe while being told; iterate over a snapshot of ids.
  std::vector<ListenerId> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, _] : listeners_) ids.push_back(id);
  for (const ListenerId id : ids) {
    const auto it = listeners_.find(id);
    if (it != listeners_.end()) {
      Listener copy = it->second;  // the listener may unsubscribe itself
      copy(e);
    }
  }
  return e;
}

const std::vector<const Event*>& Timeline::events_of(const std::string& device, EventKind kind) const {
  static const std::vector<const Event*> kNone;
  const auto it = index_.find({device, kind});
  return it == index_.end() ? kNone : it->second;
}

Timeline::ListenerId Timeline::subscribe(Listener listener) {
  const ListenerId id = ++next_listener_;
  listeners_.emplace(id, std::move(listener));
  return id;
}

void Timeline::unsubscribe(ListenerId id) {
  listeners_.erase(id);
}

}  // namespace cyanrig
