// The rack's one server-sent-events stream from the Particle cloud (GET /v1/devices/events: every
// event of the account), kept open for the whole run.
//
// The cloud allows 100 open streams per IP, so a rack never opens one per device: this stream
// carries spark/status, spark/flash/status, spark/device/last_reset and user events for all of
// them, and drops events of devices outside the rack. A stream that ends, is refused, or stays
// silent (not even a keepalive) for the idle timeout is reopened after an exponential back-off
// with jitter (1 s doubling to 60 s), reset once a stream has worked.
#pragma once

#include <functional>
#include <random>
#include <set>
#include <string>

#include "drivers/cloud/particle/access_token.hpp"
#include "drivers/cloud/particle/http_client.hpp"
#include "drivers/cloud/particle/sse_parser.hpp"
#include "rig/clock.hpp"

namespace cyanrig {

struct EventStreamSettings {
  Duration open_timeout = std::chrono::seconds(40);  // connect, TLS and the response headers
  Duration idle_timeout = std::chrono::seconds(90);
  Duration first_retry = std::chrono::seconds(1);
  Duration max_retry = std::chrono::seconds(60);
};

// The wait before reopening after `failures` consecutive failed streams (1, 2, ...): doubling
// from first_retry up to max_retry, then drawn from its upper half so racks restarted together do
// not reconnect in lockstep.
Duration reconnect_delay(const EventStreamSettings& settings, int failures, std::mt19937_64& random);

class ParticleEventStream {
 public:
  using Listener = std::function<void(const CloudEvent&)>;
  using StateListener = std::function<void(const CloudStreamState&)>;

  // Borrows the client and the token; both must outlive the stream. Nothing happens before start().
  ParticleEventStream(Clock& clock, HttpClient& http, const AccessToken& token, std::set<DeviceId> devices,
                      EventStreamSettings settings, std::uint64_t seed, Listener deliver,
                      StateListener on_state = {});
  ParticleEventStream(const ParticleEventStream&) = delete;
  ParticleEventStream& operator=(const ParticleEventStream&) = delete;

  void start();
  bool open() const { return open_; }

 private:
  void connect();
  void opened();
  void received(std::string_view bytes);
  void ended(const HttpAnswer& why);
  std::string describe_end(const HttpAnswer& why, bool was_open) const;

  Clock& clock_;
  HttpClient& http_;
  const AccessToken& token_;
  std::set<DeviceId> devices_;
  EventStreamSettings settings_;
  std::mt19937_64 random_;
  Listener deliver_;
  StateListener on_state_;
  SseParser parser_;
  HttpClient::Stream stream_;
  Timer reconnect_;
  bool started_ = false;
  bool open_ = false;
  bool worked_ = false;  // the current stream delivered an event or stayed open long enough
  Instant opened_at_{};
  int failures_ = 0;  // consecutive streams that did not work
};

}  // namespace cyanrig
