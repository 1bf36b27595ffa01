// `cyanrig sim serve` put together: a rack's simulated world running in real time (the steady
// clock), its cloud served over HTTP (ApiServer), each device's USB serial on a pty (DevicePty).
//
// Ownership: the ServedRack owns the clock, the world, the ptys and the server, and destroys them in
// that safe order (server and ptys before the world, everything before the clock). Run the loop
// either on the calling thread (run(), as the CLI does) or on a thread of its own (start(), as tests
// do); everything but stop(), server().inject() and call() then belongs to the loop's thread.
#pragma once

#include <boost/asio/post.hpp>
#include <cstdint>
#include <future>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "drivers/sim/serve/api_server.hpp"
#include "drivers/sim/serve/device_pty.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::sim {

class SimWorld;

struct ServedRackOptions {
  std::uint64_t seed = 1;
  ServeOptions serve;
  // A request to a device the cloud believes online but cannot reach fails (408) after this;
  // unset keeps the simulated cloud's ~30 s.
  std::optional<Duration> device_timeout;
  bool ptys = true;
};

struct ServedDevice {
  std::string name;
  std::string id;
  std::string pty;  // slave path, empty without ptys
};

class ServedRack {
 public:
  // Builds everything and starts listening; devices are left in the rack's safe power state.
  // Throws std::runtime_error (cannot listen, no pty, a device without platform).
  ServedRack(Rack rack, ServedRackOptions options);
  ~ServedRack();
  ServedRack(const ServedRack&) = delete;
  ServedRack& operator=(const ServedRack&) = delete;

  const Rack& rack() const { return rack_; }
  ApiServer& server() { return *server_; }
  SimWorld& world() { return *world_; }
  Clock& clock() { return *clock_; }
  // The simulated devices in rack order, with their ptys.
  const std::vector<ServedDevice>& devices() const { return devices_; }
  const ServedDevice* find_device(std::string_view name) const;

  // Runs the loop on this thread until stop().
  void run();
  // Runs the loop on a thread of its own until stop() or destruction.
  void start();
  // Any thread.
  void stop();

  // Runs `fn` on the loop and returns its result; the loop must be running on another thread.
  template <typename Fn>
  auto call(Fn fn) -> decltype(fn()) {
    std::packaged_task<decltype(fn())()> task(std::move(fn));
    auto result = task.get_future();
    boost::asio::post(clock_->io(), [&task] { task(); });
    return result.get();
  }

 private:
  Rack rack_;
  std::unique_ptr<Clock> clock_;
  std::shared_ptr<SimWorld> world_;
  std::vector<std::unique_ptr<DevicePty>> ptys_;
  std::unique_ptr<ApiServer> server_;
  std::vector<ServedDevice> devices_;
  std::thread thread_;
};

}  // namespace cyanrig::sim
