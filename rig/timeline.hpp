// One timeline per run: every observation and action is a timestamped Event on it, in the order it
// happened. Waits are predicates over the timeline; results, reports and verdicts are read from it.
//
// Events are streamed to listeners (events.jsonl, the results fold, progress) as they are recorded;
// the timeline itself only holds what open waits and measurements can still ask about, indexed by
// device and kind, so memory stays bounded however long a run goes (forget_before).
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
  run,          // run/repeat start and end, a device's case of a repeat, its health check
  step,         // scenario step start/end (name = "start" / "end", data.step = label)
  power,        // power edge: name = "on" / "off"; or "error"
  outage,       // start / stop / effective / unproven / lost / error; segment in data
  serial,       // one framed serial line: data.line (text), data.device_ms when it parsed
  serial_link,  // "attached" / "detached"
  devos,        // a parsed Device OS event: name from the parser (cloud_connected, ...)
  led,          // decoded LED state: name = canonical state; data.since_ms = when the pattern began
  cloud,        // cloud side: status (online/offline), cloud events, function/variable results, stream
  mark,         // a named mark from the scenario
  measurement,  // one sample of a named measurement: data.repeat, data.value or data.missing
  criterion,    // a pass criterion evaluated: data.statistic, limit, actual, passed
  failure,      // a verdict against a device or the run: name = kind, data.class, data.message
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
  using Events = std::deque<Event>;

  explicit Timeline(const Clock& clock) : clock_(clock) {}
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

  // Records an event at the clock's current time and tells every listener, in subscription order.
  const Event& record(EventKind kind, std::string device, std::string_view name,
                      nlohmann::json data = nullptr);

  ListenerId subscribe(Listener listener);
  void unsubscribe(ListenerId id);

  // One device's events of one kind still held, in order (device "" = rack-wide).
  const Events& events_of(const std::string& device, EventKind kind) const;

  // Lets go of events recorded before `t`, keeping for each device and kind the last one before it
  // (the state in force at `t`). The caller promises that no query will ask about earlier times.
  void forget_before(Instant t);

  std::size_t held() const { return held_; }                // events in memory
  std::uint64_t recorded() const { return next_seq_ - 1; }  // events ever recorded
  const Clock& clock() const { return clock_; }

 private:
  const Clock& clock_;
  std::map<std::pair<std::string, EventKind>, Events, std::less<>> index_;
  std::map<ListenerId, Listener> listeners_;
  ListenerId next_listener_ = 0;
  std::uint64_t next_seq_ = 1;
  std::size_t held_ = 0;
};

}  // namespace cyanrig
