#include "drivers/cloud/sim/sim_cloud.hpp"

#include <fmt/format.h>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"
#include "drivers/sim/steps.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig::sim {
namespace {

// Lab faults of the simulated cloud API (docs/drivers.md), for tests of verdicts: from `after` on,
// every request fails and the event stream goes down with the same error.
struct SimCloudSettings {
  enum class Fault { none, token_refused, server_error, unreachable };
  Fault fault = Fault::none;
  Duration after{0};

  static SimCloudSettings read(const BackendSpec& spec, Diagnostics& diags) {
    SimCloudSettings s;
    read_backend_params(spec, diags, "sim cloud backend", [&](MapReader& params) {
      if (const auto named = params.choice("fault", {"token_refused", "server_error", "unreachable"})) {
        s.fault = *named == "token_refused"  ? Fault::token_refused
                  : *named == "server_error" ? Fault::server_error
                                             : Fault::unreachable;
      }
      if (const auto delay = params.duration("after")) s.after = *delay;
    });
    return s;
  }

  CloudReply reply() const {
    switch (fault) {
      case Fault::token_refused:
        return {.error = CloudError::token, .http_status = 401, .message = "invalid_token (simulated)"};
      case Fault::server_error:
        return {
            .error = CloudError::server, .http_status = 503, .message = "service unavailable (simulated)"};
      case Fault::unreachable:
        return {
            .error = CloudError::connection, .http_status = 0, .message = "connection refused (simulated)"};
      case Fault::none:
        break;
    }
    return {};
  }
};

class SimCloud final : public Cloud {
 public:
  SimCloud(std::shared_ptr<SimWorld> world, SimCloudSettings settings)
      : world_(std::move(world)), cloud_(world_->cloud()), settings_(settings), pending_(world_->clock()) {
    if (settings_.fault != SimCloudSettings::Fault::none) {
      fault_starts_ = world_->clock().now() + settings_.after;
      pending_.after(settings_.after, [this] { fault_began(); });
    }
  }
  ~SimCloud() override {
    for (const auto id : subscriptions_) cloud_.unsubscribe(id);
  }
  SimCloud(const SimCloud&) = delete;
  SimCloud& operator=(const SimCloud&) = delete;

  void device_info(const DeviceId& id, Reply reply) override {
    if (!failing(reply)) cloud_.device_info(id, std::move(reply));
  }
  void call_function(const DeviceId& id, const std::string& function, const std::string& arg,
                     Reply reply) override {
    if (!failing(reply)) cloud_.call_function(id, function, arg, std::move(reply));
  }
  void read_variable(const DeviceId& id, const std::string& variable, Reply reply) override {
    if (!failing(reply)) cloud_.read_variable(id, variable, std::move(reply));
  }
  void flash(const DeviceId& id, const std::filesystem::path& firmware, Reply reply) override {
    if (!failing(reply)) cloud_.flash(id, firmware, std::move(reply));
  }
  void subscribe(CloudListener listener) override {
    auto on_stream = listener.on_stream;
    subscriptions_.push_back(
        cloud_.subscribe([this, on_event = std::move(listener.on_event)](const CloudEvent& e) {
          if (!faulty()) on_event(e);
        }));
    if (!on_stream) return;
    stream_listeners_.push_back(on_stream);
    on_stream(faulty() ? CloudStreamState{.open = false, .problem = settings_.reply()}
                       : CloudStreamState{.open = true});
  }
  std::string describe() const override { return "simulated Particle cloud"; }

 private:
  bool faulty() const { return fault_starts_ && world_->clock().now() >= *fault_starts_; }

  // Answers a request with the fault, on the loop, when the fault is in force.
  bool failing(Reply& reply) {
    if (!faulty()) return false;
    pending_.after(Duration{0}, [reply = std::move(reply), answer = settings_.reply()] { reply(answer); });
    return true;
  }

  void fault_began() {
    for (const auto& on_stream : stream_listeners_)
      on_stream(CloudStreamState{.open = false, .problem = settings_.reply()});
  }

  std::shared_ptr<SimWorld> world_;
  SimParticleCloud& cloud_;
  SimCloudSettings settings_;
  std::optional<Instant> fault_starts_;
  std::vector<SimParticleCloud::ListenerId> subscriptions_;
  std::vector<std::function<void(const CloudStreamState&)>> stream_listeners_;
  Pending pending_;  // last: its timers go before what they use
};

}  // namespace

BackendFactory<Cloud> sim_cloud_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { SimCloudSettings::read(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<Cloud> {
            Diagnostics ignored;  // validated before the run
            return std::make_unique<SimCloud>(SimWorld::of(ctx), SimCloudSettings::read(site.spec, ignored));
          }};
}

}  // namespace cyanrig::sim
