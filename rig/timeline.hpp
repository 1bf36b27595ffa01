// One timeline per run: every observation and action is a timestamped Event on it, in the order it
// happened. Waits are predicates over the timeline; results, reports and verdicts are read from it.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "rig/core/time.hpp"

namespace cyanrig {

class Clock;

enum class EventKind {
  run,          // run/repeat start and end, verdicts
  step,         // scenario step start/end (name = "start" / "end", data.step = kind)
  power,        // power edge: name = "on" / "off"; or "error"
  outage,       // name = "start" / "stop" / "effective" / "error"; device empty (segment in data)
  serial,       // one framed serial line: data.line (text), data.device_ms when it parsed
  serial_link,  // "attached" / "detached"
  devos,        // a parsed Device OS event: name from the parser (cloud_connected, ...)
  led,          // decoded LED state: name = canonical state; data.since_ms = when the pattern began
  cloud,        // cloud side: status (online/offline), cloud events, function/variable results
  mark,         // a named mark from the scenario
  measurement,  // a named duration: data.value, data.unit
  failure,      // an expectation that failed: data.class, data.message
  note,         // anything else worth keeping
};

std::string_view to_string(EventKind kind);

struct Event {
  std::uint64_t seq = 0;  // position on the timeline, from 1
  Instant t;              // when the rig saw it
  EventKind kind = EventKind::note;
  std::string device;  // device name; empty for rack-wide events
  std::string name;
  nlohmann::json data;  // null or an object of extra fields

  // The time the thing actually began, which for a decoded LED state is earlier than when
  // the decoder could name it (data.since_ms); for everything else the event's own time.
  Instant began() const;
};

class Timeline {
 public:
  using Listener = std::function<void(const Event&)>;
  using ListenerId = std::uint64_t;

  explicit Timeline(const Clock& clock) : clock_(clock) {}

  // Records an event at the clock's current time and tells every listener, in subscription order.
  const Event& record(EventKind kind, std::string device, std::string name, nlohmann::json data = nullptr);

  ListenerId subscribe(Listener listener);
  void unsubscribe(ListenerId id);

  const std::deque<Event>& events() const { return events_; }
  // One device's events of one kind, in order (device "" = rack-wide). Pointers stay valid for
  // the timeline's life.
  const std::vector<const Event*>& events_of(const std::string& device, EventKind kind) const;
  const Clock& clock() const { return clock_; }

 private:
  const Clock& clock_;
  std::deque<Event> events_;
  std::map<std::pair<std::string, EventKind>, std::vector<const Event*>> index_;
  std::map<ListenerId, Listener> listeners_;
  ListenerId next_listener_ = 0;
};

}  // namespace cyanrig
