#include "drivers/sim/sim_world.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "drivers/sim/sim_log.hpp"

namespace cyanrig::sim {

bool is_simulated(const RackDevice& device) {
  return device.power && device.power->backend == "sim";
}

SimWorld::SimWorld(Clock& clock, const Rack& rack, std::uint64_t seed)
    : clock_(clock), cloud_(std::make_unique<SimParticleCloud>(clock, seed)) {
  for (const Segment& s : rack.segments) segment_named(s.name);
  for (const RackDevice& d : rack.devices) {
    if (!is_simulated(d)) continue;
    // The power backend's validate() has reported bad fault specs already; here they are skipped.
    Diagnostics ignored;
    devices_.push_back(std::make_unique<SimDevice>(clock, d, DeviceFaults::read(d.faults, ignored),
                                                   segment_named(d.segment), *cloud_, seed));
  }
  sim_log().debug("simulated world: {} devices, {} segments, seed {}", devices_.size(), segments_.size(),
                  seed);
}

SimWorld::~SimWorld() = default;

std::shared_ptr<SimWorld> SimWorld::of(BackendContext& ctx) {
  SimWorld& world = ctx.shared<SimWorld>(
      [&ctx] { return std::make_shared<SimWorld>(ctx.clock(), ctx.rack(), ctx.seed()); });
  return world.shared_from_this();
}

NetworkSegment& SimWorld::segment_named(const std::string& name) {
  auto it = segments_.find(name);
  if (it == segments_.end()) it = segments_.emplace(name, std::make_unique<NetworkSegment>(name)).first;
  return *it->second;
}

SimDevice* SimWorld::find_device(std::string_view name_or_id) {
  for (const auto& d : devices_) {
    if (d->rack_device().name == name_or_id || d->rack_device().id.str() == name_or_id) return d.get();
  }
  return nullptr;
}

SimDevice& SimWorld::device_for(const BackendSite& site, std::string_view backend) {
  SimDevice* device = site.device == nullptr ? nullptr : find_device(site.device->id.str());
  if (device == nullptr) {
    throw std::runtime_error(fmt::format(
        "the sim {} backend needs a simulated device: give the device the sim power backend too", backend));
  }
  return *device;
}

NetworkSegment* SimWorld::find_segment(std::string_view name) {
  const auto it = segments_.find(name);
  return it == segments_.end() ? nullptr : it->second.get();
}

}  // namespace cyanrig::sim
