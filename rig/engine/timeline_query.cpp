#include "rig/engine/timeline_query.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

constexpr std::string_view kOff = led_state("off");

bool is_cloud_status(const Event& e) {
  return e.kind == EventKind::cloud &&
         (e.name == ev::cloud::kSparkStatus || e.name == ev::cloud::kDeviceInfo ||
          e.name == ev::cloud::kListingStale) &&
         e.data.is_object() && e.data.contains("status");
}

using Events = Timeline::Events;

// The first event that began after `t` (events of one device and kind are in order of began()).
Events::const_iterator first_began_after(const Events& events, Instant t) {
  return std::upper_bound(events.begin(), events.end(), t,
                          [](Instant when, const Event& e) { return when < e.began(); });
}

// A state-like observation (LED state, cloud status) holds over intervals between its events;
// intervals are [began_i, began_{i+1}). `events` are one device's events of one kind; `is_state`
// says which of them are states. Returns the first interval whose value is wanted and that overlaps
// [from, until]. `horizon`: how late an event may arrive describing an earlier start (LED decoding
// latency). Costs O(log n) to find the state in force at `from`, then one step per state inside the
// window.
template <typename IsState, typename Wanted>
QueryResult find_in_intervals(const Events& events, IsState is_state, Wanted wanted, Instant from,
                              Instant until, Instant now, Duration horizon) {
  // Start from the last state that began at or before `from` (the one in force then).
  auto it = first_began_after(events, from);
  while (it != events.begin()) {
    --it;
    if (is_state(*it)) break;
  }
  const Event* previous = nullptr;
  const auto check = [&](const Event& span, std::optional<Instant> end) -> std::optional<QueryResult> {
    const Instant begin = span.began();
    if (end && *end <= from) return std::nullopt;
    if (!wanted(span)) return std::nullopt;
    if (begin >= from) return QueryResult{MatchState::found, ObservationMatch{begin, &span}};
    // It began before the window and was still current at its start. If nothing followed yet,
    // a late-arriving event could still show it had ended before `from`.
    if (end || now >= from + horizon) return QueryResult{MatchState::found, ObservationMatch{from, nullptr}};
    return QueryResult{MatchState::not_yet, std::nullopt};
  };
  for (; it != events.end(); ++it) {
    const Event& e = *it;
    if (!is_state(e)) continue;
    if (previous != nullptr) {
      if (auto r = check(*previous, e.began())) return *r;
    }
    if (e.began() > until) {
      previous = nullptr;
      break;
    }
    previous = &e;
  }
  if (previous != nullptr) {
    if (auto r = check(*previous, std::nullopt)) return *r;
  }
  return {now >= until + horizon ? MatchState::never : MatchState::not_yet, std::nullopt};
}

// First point event in [from, until] satisfying `wanted`; `events` in order of time.
template <typename Wanted>
QueryResult find_point(const Events& events, Wanted wanted, Instant from, Instant until, Instant now) {
  auto it =
      std::lower_bound(events.begin(), events.end(), from, [](const Event& e, Instant t) { return e.t < t; });
  for (; it != events.end() && it->t <= until; ++it) {
    if (wanted(*it)) return {MatchState::found, ObservationMatch{it->t, &*it}};
  }
  return {now >= until ? MatchState::never : MatchState::not_yet, std::nullopt};
}

}  // namespace

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r')) s.pop_back();
  std::size_t i = 0;
  while (i < s.size() && s[i] == ' ') ++i;
  return s.substr(i);
}

QueryResult find_observation(const Timeline& timeline, const std::string& device, const Observation& what,
                             Instant from, Instant until, Instant now) {
  using Kind = Observation::Kind;
  const auto& led = timeline.events_of(device, EventKind::led);
  switch (what.kind) {
    case Kind::led:
      return find_in_intervals(
          led, [](const Event&) { return true; }, [&](const Event& e) { return e.name == what.value; }, from,
          until, now, kLedRecognitionHorizon);
    case Kind::cloud_status:
      return find_in_intervals(
          timeline.events_of(device, EventKind::cloud), is_cloud_status,
          // A stale "online" is not the device online: its session ended since the cloud said so.
          [&](const Event& e) { return e.data["status"] == what.value && !is_stale_listing(e); }, from, until,
          now, Duration{0});
    case Kind::serial:
      return find_point(
          timeline.events_of(device, EventKind::serial),
          [&](const Event& e) {
            return std::regex_search(e.data["line"].get_ref<const std::string&>(), *what.regex);
          },
          from, until, now);
    case Kind::event:
      return find_point(
          timeline.events_of(device, EventKind::devos), [&](const Event& e) { return e.name == what.value; },
          from, until, now);
    case Kind::cloud_event:
      return find_point(
          timeline.events_of(device, EventKind::cloud),
          [&](const Event& e) {
            return e.name == what.value &&
                   (what.data.empty() || (e.data.contains("data") &&
                                          trimmed(e.data["data"].get<std::string>()) == trimmed(what.data)));
          },
          from, until, now);
    case Kind::awake: {
      // Awake = the LED lit up, or the USB serial port came back, after `from`.
      for (auto it = first_began_after(led, from); it != led.end() && it->began() <= until; ++it) {
        if (it->name != kOff) return {MatchState::found, ObservationMatch{it->began(), &*it}};
      }
      QueryResult usb = find_point(
          timeline.events_of(device, EventKind::serial_link),
          [](const Event& e) { return e.name == ev::serial::kAttached; }, from, until, now);
      if (usb.state == MatchState::found) return usb;
      return {now >= until + kLedRecognitionHorizon ? MatchState::never : MatchState::not_yet, std::nullopt};
    }
    case Kind::mark:
      return find_point(
          timeline.events_of(device, EventKind::mark), [&](const Event& e) { return e.name == what.value; },
          from, until, now);
  }
  return {};
}

std::string current_led(const Timeline& timeline, const std::string& device) {
  const auto& led = timeline.events_of(device, EventKind::led);
  return led.empty() ? "" : led.back().name;
}

const Event* current_cloud_listing(const Timeline& timeline, const std::string& device) {
  const auto& cloud = timeline.events_of(device, EventKind::cloud);
  const auto last =
      std::find_if(cloud.rbegin(), cloud.rend(), [](const Event& e) { return is_cloud_status(e); });
  return last == cloud.rend() ? nullptr : &*last;
}

std::string current_cloud_status(const Timeline& timeline, const std::string& device) {
  const Event* last = current_cloud_listing(timeline, device);
  return last == nullptr ? "" : last->data["status"].get<std::string>();
}

bool is_stale_listing(const Event& status) {
  return status.name == ev::cloud::kListingStale;
}

std::string clock_text(Instant t) {
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
  return fmt::format("{:02}:{:02}:{:02}.{:03}", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

std::string describe_device_state(const Timeline& timeline, const std::string& device) {
  std::string out = "no LED state decoded";
  if (const auto& led = timeline.events_of(device, EventKind::led); !led.empty()) {
    const Event& e = led.back();
    std::string detail;
    if (e.data.contains("code")) detail = fmt::format(" code {}", e.data["code"].get<int>());
    if (e.data.contains("color")) {
      detail = fmt::format(" {} x{}", e.data["color"].get<std::string>(), e.data["count"].get<int>());
    }
    out = fmt::format("LED {}{} since {}", e.name, detail, clock_text(e.began()));
  }
  if (const auto& devos = timeline.events_of(device, EventKind::devos); !devos.empty()) {
    out += fmt::format("; last Device OS event {} at {}", devos.back().name, clock_text(devos.back().t));
  }
  if (const Event* cloud = current_cloud_listing(timeline, device)) {
    out += "; cloud " + cloud->data["status"].get<std::string>();
    if (is_stale_listing(*cloud))
      out += fmt::format(" (stale since {}: {})", clock_text(cloud->t), cloud->data.value("because", ""));
  }
  return out;
}

}  // namespace cyanrig
