// The cloud half of a simulated device's connection (particle-reference.md §2-§4): connection
// attempts with their handshake, failures with the internet test and error flashes, the reconnect
// back-off, the network reset after five minutes of failures, and keepalive pings while connected.
//
// Outcomes come from the segment's outage (cloud/internet/dns/link, drop or reject) and from the
// device's fault models (through Hooks::handshake_refused); the cloud's own view of the device is
// kept by SimParticleCloud, which the device tells through the hooks.
#pragma once

#include <functional>
#include <optional>
#include <string_view>

#include "drivers/sim/device_parts.hpp"
#include "drivers/sim/steps.hpp"

namespace cyanrig::sim {

class CloudSession {
 public:
  struct Hooks {
    // `Cloud connected`; after_outage: the previous session was lost to an outage, not ended.
    std::function<void(bool after_outage)> on_connected;
    // A keepalive ping reached the cloud; false when the cloud had dropped the session meanwhile.
    std::function<bool()> on_ping;
    std::function<void()> on_lost;            // a connected session died without a goodbye
    std::function<void()> on_network_reset;   // five minutes of failures: redo the network phase
    std::function<bool()> handshake_refused;  // a fault model makes this handshake fail
  };

  CloudSession(DeviceParts& parts, Hooks hooks);

  // The network is up: start connecting (the back-off count carries on from earlier failures).
  void connect();
  // The network went away: a connected session is dropped at once, an attempt is abandoned.
  void network_lost();
  // Before sleep: `Cloud: disconnecting` / `Cloud: disconnected`. True if a session was up.
  bool disconnect_gracefully();
  // Power loss or reset: everything stops, nothing is said; RAM state (back-off) is gone.
  void stop();
  void segment_changed();
  // The next handshake cannot resume the session (Gen 2 reset, power loss, handshake failure).
  void forget_session() { session_kept_ = false; }

  bool connected() const { return phase_ == Phase::connected; }
  std::string_view phase_name() const;
  // Back-off before attempt `failures + 1` (device-os system/src/system_utilities.cpp).
  static Duration backoff(int failures);

 private:
  enum class Phase { idle, connecting, handshake, connected, failing, waiting };
  // How an attempt failed and what Device OS does about it.
  struct Failure {
    int code;                    // for `Handling cloud error: <n>`
    bool internet_test = false;  // the cloud was unreachable: find out whether the internet is
    bool red_flash = false;      // the server refused the handshake
  };

  void attempt();
  void handshake();
  void handshake_blocked_by_outage();
  void connected_to_cloud();
  void fail(const Failure& failure);
  void internet_test(const Failure& failure);
  void handle_error(int code);
  void flash(std::string_view colour, int count);
  void schedule_ping();
  void ping();
  void ack_deadline();
  void ping_answered();
  void lose_session();
  void drop();

  DeviceParts& parts_;
  Hooks hooks_;
  StepChain steps_;
  Timer keepalive_;
  Phase phase_ = Phase::idle;
  bool handshake_will_succeed_ = false;
  bool session_kept_ = false;
  bool lost_to_outage_ = false;
  int failures_ = 0;
  Instant attempt_started_{};
  std::optional<Instant> failing_since_;
};

}  // namespace cyanrig::sim
