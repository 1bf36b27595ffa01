#include "rig/timeline.hpp"

#include <algorithm>
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
    case EventKind::criterion:
      return "criterion";
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

const Event& Timeline::record(EventKind kind, std::string device, std::string_view name,
                              nlohmann::json data) {
  Events& events = index_[{device, kind}];
  Event& e = events.emplace_back();
  e.seq = next_seq_++;
  e.t = clock_.now();
  e.kind = kind;
  e.device = std::move(device);
  e.name = name;
  e.data = std::move(data);
  ++held_;
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

const Timeline::Events& Timeline::events_of(const std::string& device, EventKind kind) const {
  static const Events kNone;
  const auto it = index_.find(std::pair<std::string, EventKind>{device, kind});
  return it == index_.end() ? kNone : it->second;
}

void Timeline::forget_before(Instant t) {
  for (auto& [key, events] : index_) {
    std::size_t before = 0;
    while (before < events.size() && events[before].t < t) ++before;
    if (before == 0) continue;
    // Of the events before `t`, keep the last of each name: together they say what state held at
    // `t` (an LED state; a cloud status behind later replies).
    std::vector<bool> keep(before, false);
    std::vector<std::string_view> names;
    for (std::size_t i = before; i-- > 0;) {
      if (std::find(names.begin(), names.end(), events[i].name) != names.end()) continue;
      names.push_back(events[i].name);
      keep[i] = true;
    }
    Events kept;
    for (std::size_t i = 0; i < before; ++i) {
      if (keep[i]) kept.push_back(std::move(events[i]));
    }
    held_ -= before - kept.size();
    for (std::size_t i = before; i < events.size(); ++i) kept.push_back(std::move(events[i]));
    events = std::move(kept);
  }
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
