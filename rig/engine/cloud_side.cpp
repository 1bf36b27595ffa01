#include "rig/engine/cloud_side.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "rig/engine/timeline_query.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

constexpr std::string_view kBreathingCyan = led_state("breathing_cyan");

}  // namespace

Failure CloudSide::cloud_failure(Flow& f, const CloudReply& reply, const std::string& what) const {
  const std::string& device = f.name();
  Failure failure;
  failure.message = fmt::format("{}: {} failed: HTTP {} {}", device, what, reply.http_status, reply.message);
  switch (reply.error) {
    case CloudError::timed_out: {
      failure.cls = FailureClass::device;
      failure.kind = "timeout";
      const bool looks_connected = current_led(run_.timeline, device) == kBreathingCyan &&
                                   current_cloud_status(run_.timeline, device) == "online";
      if (looks_connected) {
        failure.kind = "orphaned";
        failure.message = fmt::format(
            "{}: {} timed out (HTTP 408) while the device was breathing cyan and the cloud listed it online: "
            "orphaned (connected on both sides, but the cloud cannot reach it)",
            device, what);
      }
      break;
    }
    case CloudError::not_found:
    case CloudError::bad_request:
      failure.cls = FailureClass::scenario;
      failure.kind = "cloud_request";
      break;
    case CloudError::token:
      failure.cls = FailureClass::infrastructure;
      failure.kind = "cloud_token";
      break;
    default:
      failure.cls = FailureClass::infrastructure;
      failure.kind = "cloud";
      break;
  }
  return failure;
}

void CloudSide::poll_status(Flow& f, std::function<void()> then) {
  if (cloud_ == nullptr) {
    then();
    return;
  }
  cloud_->device_info(
      f.device().id, [this, &f, generation = f.generation, then = std::move(then)](const CloudReply& reply) {
        if (f.done || f.generation != generation) return;
        if (!reply.ok()) {
          fail_(f, cloud_failure(f, reply, "device status (GET /v1/devices/{id})"));
          return;
        }
        if (reply.body.contains("online") && reply.body["online"].is_boolean()) {
          const std::string status = reply.body["online"].get<bool>() ? "online" : "offline";
          if (current_cloud_status(run_.timeline, f.name()) != status)
            run_.timeline.record(EventKind::cloud, f.name(), ev::cloud::kDeviceInfo, {{"status", status}});
        }
        then();
      });
}

void CloudSide::request(Flow& f, Instant until, const std::string& what,
                        const std::function<void(Cloud::Reply)>& send,
                        std::function<void(const CloudReply&)> ok) {
  if (cloud_ == nullptr) {
    fail_(f, Failure{.cls = FailureClass::infrastructure,
                     .kind = "cloud",
                     .message = fmt::format("{}: {}: the rack has no cloud", f.name(), what)});
    return;
  }
  const std::uint64_t generation = f.generation;
  f.timers.push_back(run_.clock.at(until, [this, &f, what] {
    fail_(f, Failure{.cls = FailureClass::device,
                     .kind = "timeout",
                     .message = fmt::format("{}: {}: no answer by {}; saw {}", f.name(), what,
                                            clock_text(run_.clock.now()),
                                            describe_device_state(run_.timeline, f.name()))});
  }));
  send([this, &f, generation, what, ok = std::move(ok)](const CloudReply& reply) {
    if (f.done || f.generation != generation) return;
    nlohmann::json data = {
        {"request", what}, {"http_status", reply.http_status}, {"error", to_string(reply.error)}};
    // What the device answered: a function's return value, a variable's value.
    for (const char* field : {"return_value", "result"}) {
      if (reply.ok() && reply.body.is_object() && reply.body.contains(field))
        data["value"] = reply.body[field];
    }
    run_.timeline.record(EventKind::cloud, f.name(), ev::cloud::kReply, std::move(data));
    if (!reply.ok()) {
      fail_(f, cloud_failure(f, reply, what));
      return;
    }
    ok(reply);
  });
}

std::optional<std::string> CloudSide::stream_down_between(Instant from, Instant to) const {
  const auto& events = run_.timeline.events_of("", EventKind::cloud);
  std::optional<std::string> down;  // the stream's state at `from`
  for (const Event& e : events) {
    const bool open = e.name == ev::cloud::kStreamOpen;
    const bool closed = e.name == ev::cloud::kStreamDown;
    if (!open && !closed) continue;
    if (e.t > to) break;
    if (e.t <= from) {
      down = closed ? std::optional<std::string>(e.data.value("message", "")) : std::nullopt;
      continue;
    }
    if (down) return down;
    if (closed) return e.data.value("message", "");
  }
  return down;
}

std::optional<std::string> CloudSide::token_refused_now() const {
  const auto& events = run_.timeline.events_of("", EventKind::cloud);
  // The stream's last word: open, or down and why.
  const auto last = std::find_if(events.rbegin(), events.rend(), [](const Event& e) {
    return e.name == ev::cloud::kStreamOpen || e.name == ev::cloud::kStreamDown;
  });
  if (last == events.rend() || last->name == ev::cloud::kStreamOpen) return std::nullopt;
  if (last->data.value("error", "") == to_string(CloudError::token)) return last->data.value("message", "");
  return std::nullopt;
}

}  // namespace cyanrig
