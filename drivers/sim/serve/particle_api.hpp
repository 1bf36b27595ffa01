// The part of Particle's REST API (particle-reference.md §6) that `cyanrig sim serve` answers from
// the simulated cloud. docs/sim-serve.md lists the routes.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "drivers/sim/serve/http_message.hpp"
#include "rig/capabilities/cloud.hpp"

namespace cyanrig::sim {

class SimWorld;

// The events an open stream wants: GET /v1/devices/events[/{prefix}] (every device) or
// /v1/devices/{id}/events[/{prefix}] (one device). Event names match by prefix, as Particle's do.
struct EventFilter {
  std::optional<DeviceId> device;
  std::string prefix;
  bool matches(const CloudEvent& event) const;
};

// One server-sent event: `event: <name>`, `data: <json>`, blank line.
std::string event_stream_message(const CloudEvent& event);

class ParticleApi {
 public:
  using OpenStream = std::function<void(EventFilter)>;

  // An empty token accepts any client.
  ParticleApi(SimWorld& world, std::string token) : world_(world), token_(std::move(token)) {}

  // Answers a /v1/ request through `respond` (now or later, on the loop), or, for an event stream,
  // calls `open_stream` and leaves the rest to the caller.
  void handle(const HttpRequest& request, const Respond& respond, const OpenStream& open_stream);

 private:
  bool authorized(const HttpRequest& request, const RequestTarget& target) const;
  void list_devices(const Respond& respond);
  void device_route(const HttpRequest& request, const DeviceId& id, const RequestTarget& target,
                    const Respond& respond, const OpenStream& open_stream);
  void flash(const HttpRequest& request, const DeviceId& id, const Respond& respond);
  std::optional<DeviceId> device_named(const std::string& name_or_id);

  SimWorld& world_;
  std::string token_;
};

}  // namespace cyanrig::sim
