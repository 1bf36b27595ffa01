#include "drivers/power/sim/sim_power.hpp"

#include <fmt/format.h>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

// Lab faults of a simulated supply (docs/drivers.md), for tests of verdicts:
//   fails_after: 2   the relay answers the first 2 switches, then fails every one (a dead relay
//                    board, a smart plug gone off the network)
struct SimPowerSettings {
  std::optional<long long> fails_after;

  static SimPowerSettings read(const BackendSpec& spec, Diagnostics& diags) {
    SimPowerSettings s;
    read_backend_params(spec, diags, "sim power backend",
                        [&](MapReader& params) { s.fails_after = params.integer("fails_after", false, 0); });
    return s;
  }
};

class SimPowerSwitch final : public PowerSwitch {
 public:
  SimPowerSwitch(std::shared_ptr<SimWorld> world, SimDevice& device, SimPowerSettings settings)
      : world_(std::move(world)), device_(device), settings_(settings), done_(world_->clock()) {}

  void set(PowerState state, Done done) override {
    if (settings_.fails_after && switches_++ >= *settings_.fails_after) {
      done_.after(Duration{0}, [done = std::move(done), what = describe()] {
        done(fault(fmt::format("{}: relay did not switch (simulated fault)", what)));
      });
      return;
    }
    device_.set_power(state);
    done_.after(Duration{0}, [done = std::move(done)] { done(Status{}); });
  }

  std::string describe() const override {
    return fmt::format("simulated supply of {}", device_.rack_device().name);
  }

 private:
  std::shared_ptr<SimWorld> world_;
  SimDevice& device_;
  SimPowerSettings settings_;
  long long switches_ = 0;
  Pending done_;
};

}  // namespace

BackendFactory<PowerSwitch> sim_power_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate =
              [](const BackendSite& site, Diagnostics& diags) {
                SimPowerSettings::read(site.spec, diags);
                if (site.device != nullptr) DeviceFaults::read(site.device->faults, diags);
              },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<PowerSwitch> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            SimDevice& device = world->device_for(site, "power");
            Diagnostics ignored;  // validated before the run
            return std::make_unique<SimPowerSwitch>(std::move(world), device,
                                                    SimPowerSettings::read(site.spec, ignored));
          }};
}

}  // namespace cyanrig::sim
