// The simulated Particle cloud over real HTTP (`cyanrig sim serve`, docs/sim-serve.md).
//
// ApiServer answers a subset of Particle's REST API (particle-reference.md §6) from a SimWorld's
// SimParticleCloud, plus a control API under /sim/ that the rig's `command` backends use to power
// devices and start outages. It is plain HTTP on a loopback address, one connection per request,
// plus long-lived event streams.
//
// Threading: everything runs on the Clock's loop (Clock::io()); run the clock (the steady clock, so
// the world runs in real time) on one thread. The constructor binds and starts accepting, so
// port() and url() are valid at once; call it before the loop runs or on the loop. inject() and
// faults() may be called from any thread. Destroy the server on the loop's thread after the loop
// stopped (or on the loop): it closes the listener and every open connection.
//
// ServedRack (served_rack.hpp) puts the clock, the world, this server and the ptys together on a
// thread of their own; tests and `cyanrig sim serve` use that.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "rig/clock.hpp"
#include "rig/core/time.hpp"

namespace cyanrig::sim {

class SimWorld;
namespace detail {
class ServedApiState;
}

struct ServeOptions {
  std::string address = "127.0.0.1";
  std::uint16_t port = 0;  // 0: any free port
  std::string token;       // the Bearer token the server accepts; empty accepts any token
  // Comment lines sent on an idle event stream (Particle sends them about every 9 s); tests shorten it.
  Duration stream_keepalive = std::chrono::seconds(9);
};

// Faults the tests (and `cyanrig sim ctl fault`) inject into the answers. They apply to the Particle
// API only (/v1/...), never to the control API, so the rig can always lift them again.
struct ServedFaults {
  int status = 0;  // answer the next `count` API requests with this HTTP status (401, 403, 429, 500, 503)
  int count = 0;
  Duration retry_after{0};        // with 429: the Retry-After header (whole seconds)
  bool silent_stream = false;     // open event streams stop sending anything (no events, no keepalives)
  bool drop_connections = false;  // the next request's connection is closed without an answer
};

class ApiServer {
 public:
  // Listening when constructed. Throws std::runtime_error when the address cannot be bound.
  // The world and the clock must outlive the server.
  ApiServer(Clock& clock, SimWorld& world, ServeOptions options);
  ~ApiServer();
  ApiServer(const ApiServer&) = delete;
  ApiServer& operator=(const ApiServer&) = delete;

  std::uint16_t port() const;
  std::string url() const;  // "http://127.0.0.1:PORT"

  // Replaces the injected faults; ServedFaults{} clears them. Thread-safe.
  void inject(const ServedFaults& faults);
  // What is still pending (count left, stream silence, connection drop). Thread-safe.
  ServedFaults faults() const;

 private:
  // Shared with the connections, which hold it weakly: a reply that arrives after the server is
  // gone finds nothing to touch.
  std::shared_ptr<detail::ServedApiState> state_;
};

}  // namespace cyanrig::sim
