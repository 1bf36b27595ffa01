#include "rig/engine/waits.hpp"

#include "rig/engine/timeline_query.hpp"

namespace cyanrig {

void Waits::wait_for(Flow& f, const Observation& what, Instant from, Instant until,
                     std::function<void()> pass, std::function<void()> timed_out) {
  const std::string device = f.name();
  auto check = [this, &f, what, from, until, pass, timed_out, device, generation = f.generation] {
    if (f.done || f.generation != generation) return;
    const QueryResult r = find_observation(run_.timeline, device, what, from, until, run_.clock.now());
    if (r.state == MatchState::found) {
      pass();
    } else if (r.state == MatchState::never) {
      timed_out();
    }
  };
  f.listeners.push_back(run_.timeline.subscribe([check, device](const Event& e) {
    if (e.device == device) check();
  }));
  for (const Instant t : {from + kLedRecognitionHorizon, until, until + kLedRecognitionHorizon}) {
    if (t > run_.clock.now()) f.timers.push_back(run_.clock.at(t, check));
  }
  run_.clock.post(check);
}

void Waits::also_on_rack_events(Flow& f, EventKind kind, std::function<void()> check) {
  f.listeners.push_back(run_.timeline.subscribe([kind, check = std::move(check)](const Event& e) {
    if (e.device.empty() && e.kind == kind) check();
  }));
}

void Waits::end_wait(Flow& f) {
  f.timers.clear();
  for (const auto id : f.listeners) run_.timeline.unsubscribe(id);
  f.listeners.clear();
}

}  // namespace cyanrig
