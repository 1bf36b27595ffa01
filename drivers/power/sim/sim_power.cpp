#include "drivers/power/sim/sim_power.hpp"

#include <fmt/format.h>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

class SimPowerSwitch final : public PowerSwitch {
 public:
  SimPowerSwitch(std::shared_ptr<SimWorld> world, SimDevice& device)
      : world_(std::move(world)), device_(device), done_(world_->clock()) {}

  void set(PowerState state, Done done) override {
    device_.set_power(state);
    done_.after(Duration{0}, [done = std::move(done)] { done(Status{}); });
  }

  std::string describe() const override {
    return fmt::format("simulated supply of {}", device_.rack_device().name);
  }

 private:
  std::shared_ptr<SimWorld> world_;
  SimDevice& device_;
  Pending done_;
};

}  // namespace

BackendFactory<PowerSwitch> sim_power_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate =
              [](const BackendSite& site, Diagnostics& diags) {
                read_backend_params(site.spec, diags, "sim power backend");
                if (site.device != nullptr) DeviceFaults::read(site.device->faults, diags);
              },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<PowerSwitch> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            SimDevice& device = world->device_for(site, "power");
            return std::make_unique<SimPowerSwitch>(std::move(world), device);
          }};
}

}  // namespace cyanrig::sim
