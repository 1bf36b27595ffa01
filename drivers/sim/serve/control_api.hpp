// The served rack's control API (not Particle's): what the rig's `command` backends and
// `cyanrig sim ctl` use to switch simulated supplies, cut simulated networks and inject faults into
// the served API. Routes (docs/sim-serve.md):
//   GET    /sim/status                          devices, segments, faults
//   POST   /sim/devices/{device}/power/{on|off} switch a device's supply
//   POST   /sim/segments/{segment}/outage       start an outage: {"mode": "cloud", "action": "drop"}
//   DELETE /sim/segments/{segment}/outage       lift it
//   PUT    /sim/faults                          inject faults (ServedFaults as JSON)
//   DELETE /sim/faults                          clear them
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "drivers/sim/serve/api_server.hpp"
#include "drivers/sim/serve/http_message.hpp"

namespace cyanrig::sim {

// {"status": 429, "count": 2, "retry_after": 5, "silent_stream": false, "drop_connections": false};
// retry_after is in whole seconds, as in the Retry-After header. Missing fields take their defaults.
nlohmann::json faults_json(const ServedFaults& faults);
// Nothing, with `error` set, when a field has the wrong type or the status is not an HTTP error.
std::optional<ServedFaults> faults_from_json(const nlohmann::json& json, std::string& error);

class ControlApi {
 public:
  struct FaultAccess {
    std::function<void(const ServedFaults&)> inject;
    std::function<ServedFaults()> current;
  };

  ControlApi(SimWorld& world, FaultAccess faults) : world_(world), faults_(std::move(faults)) {}

  // Answers a /sim/ request at once.
  HttpResponse handle(const HttpRequest& request);

 private:
  HttpResponse status() const;
  HttpResponse power(const std::string& device, const std::string& state);
  HttpResponse outage(const HttpRequest& request, const std::string& segment);
  HttpResponse faults(const HttpRequest& request);

  SimWorld& world_;
  FaultAccess faults_;
};

}  // namespace cyanrig::sim
