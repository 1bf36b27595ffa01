#include "drivers/cloud/sim/sim_cloud.hpp"

#include <vector>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

class SimCloud final : public Cloud {
 public:
  explicit SimCloud(std::shared_ptr<SimWorld> world) : world_(std::move(world)), cloud_(world_->cloud()) {}
  ~SimCloud() override {
    for (const auto id : subscriptions_) cloud_.unsubscribe(id);
  }
  SimCloud(const SimCloud&) = delete;
  SimCloud& operator=(const SimCloud&) = delete;

  void device_info(const DeviceId& id, Reply reply) override { cloud_.device_info(id, std::move(reply)); }
  void call_function(const DeviceId& id, const std::string& function, const std::string& arg,
                     Reply reply) override {
    cloud_.call_function(id, function, arg, std::move(reply));
  }
  void read_variable(const DeviceId& id, const std::string& variable, Reply reply) override {
    cloud_.read_variable(id, variable, std::move(reply));
  }
  void flash(const DeviceId& id, const std::filesystem::path& firmware, Reply reply) override {
    cloud_.flash(id, firmware, std::move(reply));
  }
  void subscribe(std::function<void(const CloudEvent&)> on_event) override {
    subscriptions_.push_back(cloud_.subscribe(std::move(on_event)));
  }
  std::string describe() const override { return "simulated Particle cloud"; }

 private:
  std::shared_ptr<SimWorld> world_;
  SimParticleCloud& cloud_;
  std::vector<SimParticleCloud::ListenerId> subscriptions_;
};

}  // namespace

BackendFactory<Cloud> sim_cloud_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { read_backend_params(site.spec, diags, "sim cloud backend"); },
          .create = [](const BackendSite&, BackendContext& ctx) -> std::unique_ptr<Cloud> {
            return std::make_unique<SimCloud>(SimWorld::of(ctx));
          }};
}

}  // namespace cyanrig::sim
