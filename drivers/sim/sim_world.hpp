// The simulated rack's world: one per run, shared by every sim backend (BackendContext::shared).
//
// It holds a simulated device for every rack device whose power backend is `sim`, a network segment
// for every segment the rack names, and the simulated Particle cloud. Everything runs on the run's
// Clock (the virtual clock on a simulated rack) and draws from streams seeded by the run's seed.
// Backends keep the world alive through shared_ptr; the Clock must outlive it.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/sim/cloud_model.hpp"
#include "drivers/sim/network_segment.hpp"
#include "drivers/sim/sim_device.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

class SimWorld : public std::enable_shared_from_this<SimWorld> {
 public:
  // Throws std::runtime_error when a simulated device has no platform.
  SimWorld(Clock& clock, const Rack& rack, std::uint64_t seed);
  SimWorld(const SimWorld&) = delete;
  SimWorld& operator=(const SimWorld&) = delete;
  ~SimWorld();

  // The run's world, made by the first sim backend that asks.
  static std::shared_ptr<SimWorld> of(BackendContext& ctx);

  Clock& clock() { return clock_; }
  SimParticleCloud& cloud() { return *cloud_; }
  // By name or device id; null when the device is not simulated.
  SimDevice* find_device(std::string_view name_or_id);
  NetworkSegment* find_segment(std::string_view name);
  // Every segment the rack names, by name.
  const std::map<std::string, std::unique_ptr<NetworkSegment>, std::less<>>& segments() const {
    return segments_;
  }
  const std::vector<std::unique_ptr<SimDevice>>& devices() const { return devices_; }
  // The simulated device a per-device sim backend serves. Throws std::runtime_error saying what to
  // change when the device is not simulated (`backend` names the asking backend: "serial", "led").
  SimDevice& device_for(const BackendSite& site, std::string_view backend);

 private:
  NetworkSegment& segment_named(const std::string& name);

  Clock& clock_;
  std::unique_ptr<SimParticleCloud> cloud_;
  std::map<std::string, std::unique_ptr<NetworkSegment>, std::less<>> segments_;
  std::vector<std::unique_ptr<SimDevice>> devices_;  // rack order
};

// True when the rack simulates this device (its power backend is `sim`).
bool is_simulated(const RackDevice& device);

}  // namespace cyanrig::sim
