// The Particle cloud's view of the rack: device status, functions, variables, OTA and events.
#pragma once

#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "rig/core/device_id.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

// What an error from the cloud means for a verdict (issue: 401/403 token, 404 unknown, 408 device
// unreachable, 429 back off, 5xx/connection failures cloud trouble).
enum class CloudError { none, token, not_found, timed_out, rate_limited, server, connection, bad_request };
std::string_view to_string(CloudError e);

struct CloudReply {
  CloudError error = CloudError::none;
  int http_status = 200;
  std::string message;  // the server's error text, never a token
  nlohmann::json body;  // parsed response on success
  bool ok() const { return error == CloudError::none; }
};

struct CloudDeviceInfo {
  bool online = false;
  std::string last_heard;  // ISO 8601 as the cloud reports it
  std::string system_firmware_version;
  std::string firmware;  // application firmware identity
};

struct CloudEvent {
  std::string name;  // spark/status, spark/flash/status, spark/device/last_reset, user events
  std::string data;
  std::optional<DeviceId> device;
  std::string published_at;
};

// Whether the rack's event stream delivers: open, or down and why (classified as requests are: a
// refused token is CloudError::token, a 5xx CloudError::server, no answer CloudError::connection).
// While it is down, what a device does on the cloud side cannot be seen, so no verdict may rest on
// the absence of a cloud event.
struct CloudStreamState {
  bool open = false;
  CloudReply problem;  // when !open
};

struct CloudListener {
  // Implicit, so a plain event callback is a listener that ignores the stream's state.
  template <typename OnEvent>
  CloudListener(OnEvent events) : on_event(std::move(events)) {}  // NOLINT(google-explicit-constructor)
  CloudListener(std::function<void(const CloudEvent&)> events,
                std::function<void(const CloudStreamState&)> stream)
      : on_event(std::move(events)), on_stream(std::move(stream)) {}

  std::function<void(const CloudEvent&)> on_event;
  std::function<void(const CloudStreamState&)> on_stream;  // may be empty
};

class Cloud {
 public:
  using Reply = std::function<void(CloudReply)>;

  virtual ~Cloud() = default;
  virtual void device_info(const DeviceId& id, Reply reply) = 0;  // body: GET /v1/devices/{id}
  virtual void call_function(const DeviceId& id, const std::string& function, const std::string& arg,
                             Reply reply) = 0;  // body.return_value
  virtual void read_variable(const DeviceId& id, const std::string& variable,
                             Reply reply) = 0;  // body.result
  virtual void flash(const DeviceId& id, const std::filesystem::path& firmware, Reply reply) = 0;
  // One stream for the whole rack; events for devices outside it are the backend's to filter. The
  // listener hears the stream's state when it subscribes and whenever it changes.
  virtual void subscribe(CloudListener listener) = 0;
  virtual std::string describe() const = 0;
};

}  // namespace cyanrig
