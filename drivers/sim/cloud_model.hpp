// The simulated Particle cloud (particle-reference.md §4, §6): what the cloud believes about each
// device (online, last heard, its functions and variables), the events it publishes, and the REST
// API's answers with their delays.
//
// The cloud only knows what reached it: a device that loses power or sits behind an outage stays
// "online" until about 2 x keepalive after it was last heard; a graceful disconnect is noticed at
// once. Requests to a device it believes online but cannot reach time out after ~30 s (408).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "drivers/sim/random.hpp"
#include "drivers/sim/steps.hpp"
#include "drivers/sim/timing.hpp"
#include "rig/capabilities/cloud.hpp"
#include "rig/clock.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::sim {

// What the cloud can ask of a device it holds a session with.
class CloudEndpoint {
 public:
  virtual ~CloudEndpoint() = default;
  // Packets from the cloud reach the application now: powered, session up, the segment passes
  // cloud traffic and the session is not orphaned.
  virtual bool answers() const = 0;
  // Only called with names the device registered (DeviceDescription).
  virtual int call_function(const std::string& name, const std::string& arg) = 0;
  virtual nlohmann::json read_variable(const std::string& name) = 0;
  virtual void begin_update(std::uintmax_t bytes, std::string version) = 0;
};

// What a device tells the cloud when it connects (the handshake's describe message).
struct DeviceDescription {
  std::vector<std::string> functions;
  std::vector<std::pair<std::string, std::string>> variables;  // name, type ("int32", "string")
  std::string system_firmware_version;
  std::string firmware_version;
};

class SimParticleCloud {
 public:
  using Listener = std::function<void(const CloudEvent&)>;
  using ListenerId = std::uint64_t;

  SimParticleCloud(Clock& clock, std::uint64_t run_seed);
  SimParticleCloud(const SimParticleCloud&) = delete;
  SimParticleCloud& operator=(const SimParticleCloud&) = delete;

  // Claims a simulated device to the account. The endpoint must outlive the cloud's use of it.
  void enroll(const RackDevice& device, CloudEndpoint& endpoint, const DeviceTiming& timing);

  // What devices tell it. `last_reset` is set on the first connect after a boot.
  void connected(const DeviceId& id, DeviceDescription description, std::optional<std::string> last_reset);
  // A keepalive got through. False when the cloud had already timed the device out: it no longer
  // holds the session, so the device must connect afresh.
  bool heard(const DeviceId& id);
  void disconnected(const DeviceId& id);  // graceful: offline at once
  void flash_status(const DeviceId& id, std::string_view status);
  // An update stopped because the device went away: the cloud gives up on it after its timeout.
  void update_interrupted(const DeviceId& id);

  // The REST API (the Cloud capability's operations). Replies always come on the loop.
  void device_info(const DeviceId& id, Cloud::Reply reply);
  void call_function(const DeviceId& id, const std::string& function, const std::string& arg,
                     Cloud::Reply reply);
  void read_variable(const DeviceId& id, const std::string& variable, Cloud::Reply reply);
  void flash(const DeviceId& id, const std::filesystem::path& firmware, Cloud::Reply reply);

  // How long a request to a device the cloud believes online but cannot reach takes to give up
  // (408). ~30 s like the real cloud unless changed (`cyanrig sim serve` tests shorten it).
  void set_device_timeout(Duration timeout) { device_timeout_ = timeout; }

  // The event stream; events are delivered on the loop in the order they were published.
  ListenerId subscribe(Listener listener);
  void unsubscribe(ListenerId id) { listeners_.erase(id); }

  // Observation (tests, debugging).
  bool online(const DeviceId& id) const;
  // Deterministic ISO 8601 time: 2030-01-01T00:00:00.000Z plus the run's clock.
  static std::string timestamp(Instant t);

 private:
  struct Record {
    std::string name;
    const Platform* platform = nullptr;
    CloudEndpoint* endpoint = nullptr;
    DeviceTiming timing;
    Random random;
    bool online = false;
    std::optional<Instant> last_heard;
    std::optional<Instant> last_handshake;
    DeviceDescription description;
    Timer offline_timer;
  };
  Record* find(const DeviceId& id);
  void mark_heard(const DeviceId& id, Record& r);
  void go_offline(const DeviceId& id, Record& r);
  void publish(std::string name, std::string data, const DeviceId& id);
  void answer(Duration after, Cloud::Reply reply, CloudReply result);
  // The request travels to the device, `act` runs there if it answers, and the reply comes back;
  // otherwise 408 after the cloud's timeout.
  void through_device(const DeviceId& id, Cloud::Reply reply, std::function<CloudReply(Record&)> act);
  nlohmann::json info_body(const DeviceId& id, const Record& r) const;

  Clock& clock_;
  std::uint64_t run_seed_;
  std::map<DeviceId, Record> devices_;
  Duration device_timeout_;
  Pending requests_;  // replies and events in flight
  ListenerId next_listener_ = 0;
  std::map<ListenerId, Listener> listeners_;
};

}  // namespace cyanrig::sim
