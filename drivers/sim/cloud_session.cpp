#include "drivers/sim/cloud_session.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

#include "drivers/sim/device_os.hpp"
#include "rig/led/led_state.hpp"

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;
using std::chrono::minutes;

// §4: after five minutes of failed cloud attempts the network interfaces are reset.
constexpr Duration kNetworkResetAfter = minutes(5);
// Where in a successful handshake the HELLO line falls (the rest is the server's answer).
constexpr double kHelloAt = 0.6;

Rgb colour_named(std::string_view name) {
  return find_led_colour(name)->rgb;
}

}  // namespace

CloudSession::CloudSession(DeviceParts& parts, Hooks hooks)
    : parts_(parts), hooks_(std::move(hooks)), steps_(parts.clock) {}

std::string_view CloudSession::phase_name() const {
  switch (phase_) {
    case Phase::idle:
      return "idle";
    case Phase::connecting:
      return "connecting";
    case Phase::handshake:
      return "handshake";
    case Phase::connected:
      return "connected";
    case Phase::failing:
      return "failing";
    case Phase::waiting:
      return "waiting";
  }
  return "idle";
}

Duration CloudSession::backoff(int failures) {
  const int doublings = std::min(7, std::max(0, failures - 1) / 5);
  return milliseconds(1000) * (1 << doublings);
}

void CloudSession::connect() {
  steps_.stop();
  attempt();
}

void CloudSession::attempt() {
  const Instant now = parts_.clock.now();
  phase_ = Phase::connecting;
  attempt_started_ = now;
  if (!failing_since_) failing_since_ = now;
  parts_.led.show("blinking_cyan");
  parts_.log.info(category::kSystem, "Cloud: connecting");

  NetworkSegment& segment = parts_.segment;
  const DeviceTiming& t = parts_.timing;
  if (!segment.names_resolve()) {
    segment.blocked(parts_.device.name, "a name lookup (udp/53) was");
    steps_.then(parts_.draw(segment.rejecting() ? t.rejected : t.dns_timeout), [this] {
      parts_.log.error(category::kSystem,
                       fmt::format("Unable to resolve IP for {} ({})",
                                   cloud_host(parts_.platform, parts_.device.id.str()), kResolveFailed));
      fail({.code = system_error::kNetwork});
    });
    return;
  }
  // A TCP connect (Gen 2 Wi-Fi) is where an unreachable cloud shows first; UDP "connects" locally.
  if (parts_.platform.transport == CloudTransport::tcp_5683 && !segment.cloud_reachable()) {
    const bool rejected = segment.rejecting();
    const int code = rejected ? socket_error::kUnreachable : socket_error::kTimedOut;
    steps_.then(parts_.draw(rejected ? t.rejected : t.socket_connect_timeout), [this, code] {
      parts_.log.error(category::kSystem, fmt::format("Cloud socket connection failed: {}", code));
      fail({.code = code, .internet_test = true});
    });
    return;
  }
  steps_.then(parts_.draw(t.socket), [this] {
    parts_.log.info(category::kSystem, "Cloud socket connected");
    handshake();
  });
}

void CloudSession::handshake() {
  phase_ = Phase::handshake;
  handshake_will_succeed_ = false;
  parts_.log.info(category::kSystem, "Starting handshake: presense_announce=0");
  parts_.log.info(category::kHandshake, "Establish secure connection");
  parts_.led.show("fast_blinking_cyan");
  if (!parts_.segment.cloud_reachable()) {
    handshake_blocked_by_outage();
    return;
  }
  if (hooks_.handshake_refused()) {
    steps_.then(parts_.draw(parts_.timing.handshake_error), [this] {
      parts_.log.error(category::kSystem,
                       fmt::format("Cloud handshake failed, code={}", system_error::kProtocol));
      session_kept_ = false;
      fail({.code = system_error::kProtocol, .red_flash = true});
    });
    return;
  }
  handshake_will_succeed_ = true;
  const bool resume = session_kept_;
  // §3: the whole connection (from `Cloud: connecting`) takes ~0.8 s resumed, seconds in full.
  const Duration total = parts_.draw(resume ? parts_.timing.resumed_connect : parts_.timing.full_connect);
  const Duration rest =
      std::max<Duration>(total - (parts_.clock.now() - attempt_started_), milliseconds(100));
  const auto hello = std::chrono::duration_cast<Duration>(rest * kHelloAt);
  steps_
      .then(hello,
            [this, resume] {
              parts_.log.info(category::kHandshake,
                              resume ? "Skipping HELLO message" : "Sending HELLO message");
            })
      .then(rest - hello, [this] {
        parts_.log.info(category::kHandshake, "Handshake completed");
        connected_to_cloud();
      });
}

// UDP/DTLS: a dropped handshake times out after ~20-30 s; a rejected one fails within a second.
void CloudSession::handshake_blocked_by_outage() {
  handshake_will_succeed_ = false;
  parts_.segment.blocked(parts_.device.name, "a handshake to the cloud (udp/5684) was");
  const bool rejected = parts_.segment.rejecting();
  const int code = rejected ? system_error::kIo : system_error::kTimeout;
  steps_.then(parts_.draw(rejected ? parts_.timing.rejected : parts_.timing.handshake_timeout), [this, code] {
    parts_.log.error(category::kSystem, fmt::format("Cloud handshake failed, code={}", code));
    fail({.code = code, .internet_test = true});
  });
}

void CloudSession::connected_to_cloud() {
  phase_ = Phase::connected;
  failures_ = 0;
  failing_since_.reset();
  session_kept_ = true;
  const bool after_outage = lost_to_outage_;
  lost_to_outage_ = false;
  parts_.log.info(category::kSystem, "Cloud connected");
  parts_.led.show("breathing_cyan");
  schedule_ping();
  hooks_.on_connected(after_outage);
}

void CloudSession::fail(const Failure& failure) {
  phase_ = Phase::failing;
  parts_.led.show("blinking_cyan");
  if (failure.internet_test) {
    internet_test(failure);
    return;
  }
  if (failure.red_flash) flash("red", 1);
  handle_error(failure.code);
}

// §2/§3: after failing to reach the cloud Device OS tests the internet: 3 orange flashes when the
// internet answers (the cloud does not), 2 when it does not.
void CloudSession::internet_test(const Failure& failure) {
  const NetworkSegment& segment = parts_.segment;
  const bool internet = segment.internet_reachable();
  const Span& took = internet              ? parts_.timing.internet_test_ok
                     : segment.rejecting() ? parts_.timing.rejected
                                           : parts_.timing.internet_test_timeout;
  steps_.then(parts_.draw(took), [this, internet, code = failure.code] {
    if (internet) {
      parts_.log.warn(category::kSystem, "Internet available, cloud not reachable");
      flash("orange", 3);
    } else {
      parts_.log.warn(category::kSystem,
                      fmt::format("Internet test failed: -1 {}",
                                  parts_.segment.rejecting() ? "connection refused" : "timed out"));
      flash("orange", 2);
    }
    handle_error(code);
  });
}

void CloudSession::flash(std::string_view colour, int count) {
  parts_.led.play_over("cloud_error", LedSignal::flashes(colour_named(colour), count), flashes_length(count));
}

void CloudSession::handle_error(int code) {
  parts_.log.warn(category::kSystem, fmt::format("Handling cloud error: {}", code));
  ++failures_;
  if (parts_.clock.now() - *failing_since_ >= kNetworkResetAfter) {
    parts_.log.warn(category::kSystem,
                    "Resetting network interfaces due to failed connection attempts for 5 minutes");
    failing_since_.reset();
    phase_ = Phase::idle;
    hooks_.on_network_reset();
    return;
  }
  phase_ = Phase::waiting;
  steps_.then(backoff(failures_), [this] { attempt(); });
}

void CloudSession::segment_changed() {
  // An outage that starts during a handshake that was going to succeed breaks it.
  if (phase_ == Phase::handshake && handshake_will_succeed_ && !parts_.segment.cloud_reachable()) {
    steps_.stop();
    handshake_blocked_by_outage();
  }
}

void CloudSession::schedule_ping() {
  keepalive_ = parts_.clock.after(parts_.timing.keepalive, [this] { ping(); });
}

// §4: an idle device notices a dead connection only when it next sends: at its keepalive ping. A
// dropped ping goes unanswered for the ack timeout (an outage that lifts inside that window lets a
// retransmission through); a rejected one is refused at once (ICMP unreachable, TCP reset).
void CloudSession::ping() {
  if (parts_.segment.cloud_reachable()) {
    ping_answered();
    return;
  }
  parts_.segment.blocked(parts_.device.name, "a keepalive to the cloud (udp/5684) was");
  if (parts_.segment.rejecting()) {
    lose_session();
    return;
  }
  keepalive_ = parts_.clock.after(parts_.timing.keepalive_ack_timeout, [this] { ack_deadline(); });
}

void CloudSession::ack_deadline() {
  if (parts_.segment.cloud_reachable()) {
    ping_answered();
    return;
  }
  lose_session();
}

void CloudSession::ping_answered() {
  if (hooks_.on_ping()) {
    schedule_ping();
    return;
  }
  // The cloud timed the device out during the outage and refuses the session: start over in full.
  session_kept_ = false;
  lose_session();
}

void CloudSession::lose_session() {
  parts_.log.error(category::kSystem, "Communication loop error, closing cloud socket");
  parts_.log.info(category::kSystem, "Cloud: disconnected");
  drop();
  attempt();
}

void CloudSession::drop() {
  keepalive_.cancel();
  steps_.stop();
  phase_ = Phase::idle;
  lost_to_outage_ = true;
  hooks_.on_lost();
}

void CloudSession::network_lost() {
  if (phase_ == Phase::connected) {
    parts_.log.info(category::kSystem, "Cloud: disconnected");
    drop();
    return;
  }
  steps_.stop();
  phase_ = Phase::idle;
}

bool CloudSession::disconnect_gracefully() {
  const bool was_connected = phase_ == Phase::connected;
  if (was_connected) {
    parts_.log.info(category::kSystem, "Cloud: disconnecting");
    parts_.log.info(category::kSystem, "Cloud: disconnected");
  }
  keepalive_.cancel();
  steps_.stop();
  phase_ = Phase::idle;
  failing_since_.reset();
  return was_connected;
}

void CloudSession::stop() {
  keepalive_.cancel();
  steps_.stop();
  phase_ = Phase::idle;
  failures_ = 0;
  failing_since_.reset();
  lost_to_outage_ = false;
}

}  // namespace cyanrig::sim
