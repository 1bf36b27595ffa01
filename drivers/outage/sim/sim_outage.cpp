#include "drivers/outage/sim/sim_outage.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

class SimOutageSwitch final : public OutageSwitch {
 public:
  SimOutageSwitch(std::shared_ptr<SimWorld> world, NetworkSegment& segment)
      : world_(std::move(world)), segment_(segment), done_(world_->clock()) {}

  void start(const OutageSpec& spec, Done done) override {
    segment_.start_outage(spec);
    finish(std::move(done));
  }

  void stop(Done done) override {
    segment_.stop_outage();
    finish(std::move(done));
  }

  bool active() const override { return segment_.outage().has_value(); }

  std::string describe() const override {
    return fmt::format("simulated outage on segment {}", segment_.name());
  }

 private:
  void finish(Done done) {
    done_.after(Duration{0}, [done = std::move(done)] { done(Status{}); });
  }

  std::shared_ptr<SimWorld> world_;
  NetworkSegment& segment_;
  Pending done_;
};

}  // namespace

BackendFactory<OutageSwitch> sim_outage_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { read_backend_params(site.spec, diags, "sim outage backend"); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            NetworkSegment* segment =
                site.segment == nullptr ? nullptr : world->find_segment(site.segment->name);
            if (segment == nullptr)
              throw std::runtime_error("the sim outage backend belongs to a network segment");
            return std::make_unique<SimOutageSwitch>(std::move(world), *segment);
          },
          .modes =
              [](const BackendSite&) {
                return std::vector<OutageMode>(std::begin(kOutageModes), std::end(kOutageModes));
              }};
}

}  // namespace cyanrig::sim
