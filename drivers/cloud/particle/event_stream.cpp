#include "drivers/cloud/particle/event_stream.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "drivers/cloud/particle/api_errors.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// A stream that stayed up this long was working, even if the rack was quiet.
constexpr Duration kHealthyStream = 60s;

spdlog::logger& stream_log() {
  return component_log("particle");
}

}  // namespace

Duration reconnect_delay(const EventStreamSettings& settings, int failures, std::mt19937_64& random) {
  Duration ceiling = settings.first_retry;
  for (int i = 1; i < failures && ceiling < settings.max_retry; ++i) ceiling *= 2;
  ceiling = std::min(ceiling, settings.max_retry);
  // Whole milliseconds: finer jitter buys nothing and reads badly in the log.
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(ceiling).count();
  std::uniform_int_distribution<std::chrono::milliseconds::rep> upper_half(ms / 2, ms);
  return std::chrono::milliseconds(upper_half(random));
}

ParticleEventStream::ParticleEventStream(Clock& clock, HttpClient& http, const AccessToken& token,
                                         std::set<DeviceId> devices, EventStreamSettings settings,
                                         std::uint64_t seed, Listener deliver, StateListener on_state)
    : clock_(clock),
      http_(http),
      token_(token),
      devices_(std::move(devices)),
      settings_(settings),
      random_(seed),
      deliver_(std::move(deliver)),
      on_state_(std::move(on_state)) {}

void ParticleEventStream::start() {
  if (started_) return;
  started_ = true;
  connect();
}

void ParticleEventStream::connect() {
  parser_.reset();
  HttpRequest request;
  request.target = http_.url().target("/v1/devices/events");
  request.authorization = token_.authorization();
  request.accept = "text/event-stream";
  stream_ = http_.stream(std::move(request), clock_.now() + settings_.open_timeout, settings_.idle_timeout,
                         {.on_open = [this] { opened(); },
                          .on_bytes = [this](std::string_view bytes) { received(bytes); },
                          .on_end = [this](const HttpAnswer& why) { ended(why); }});
}

void ParticleEventStream::opened() {
  open_ = true;
  worked_ = false;
  opened_at_ = clock_.now();
  if (on_state_) on_state_(CloudStreamState{.open = true});
  if (failures_ == 0) {
    stream_log().info("event stream open at {}", http_.url().text());
  } else {
    stream_log().info("event stream open again at {} ({} failure{} before)", http_.url().text(), failures_,
                      failures_ == 1 ? "" : "s");
  }
}

void ParticleEventStream::received(std::string_view bytes) {
  for (const SseEvent& event : parser_.feed(bytes)) {
    std::string why;
    const auto cloud_event = to_cloud_event(event, &why);
    if (!cloud_event) {
      stream_log().debug("event {} ignored: {}", event.name, why);
      continue;
    }
    worked_ = true;
    if (!cloud_event->device || !devices_.contains(*cloud_event->device)) continue;  // not this rack's
    deliver_(*cloud_event);
  }
}

void ParticleEventStream::ended(const HttpAnswer& why) {
  const bool was_open = open_;
  open_ = false;
  if (was_open && (worked_ || clock_.now() - opened_at_ >= kHealthyStream)) failures_ = 0;
  ++failures_;
  const Duration wait = reconnect_delay(settings_, failures_, random_);
  const std::string message = token_.redact(describe_end(why, was_open));
  // A state change is worth a warning; the same failure again while retrying is not.
  if (was_open || failures_ == 1) {
    stream_log().warn("event stream {}; reopening in {}", message, format_duration(wait));
  } else {
    stream_log().debug("event stream still failing ({}); next attempt in {}", message, format_duration(wait));
  }
  if (on_state_ && (was_open || failures_ == 1)) {
    CloudReply problem =
        why.status != 0 && why.status != 200 ? map_api_reply(why.status, why.body) : CloudReply{};
    if (problem.ok()) problem = CloudReply{.error = CloudError::connection, .http_status = why.status};
    problem.message = message;
    on_state_(CloudStreamState{.open = false, .problem = std::move(problem)});
  }
  reconnect_ = clock_.after(wait, [this] { connect(); });
}

std::string ParticleEventStream::describe_end(const HttpAnswer& why, bool was_open) const {
  if (why.status != 0 && why.status != 200) {
    return fmt::format("refused: HTTP {} {}", why.status, map_api_reply(why.status, why.body).message);
  }
  if (why.deadline_passed) {
    return fmt::format("could not be opened: no answer from {} within {}", http_.url().text(),
                       format_duration(settings_.open_timeout));
  }
  return (was_open ? "lost: " : "could not be opened: ") + why.failure;
}

}  // namespace cyanrig
