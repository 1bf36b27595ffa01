#include "drivers/outage/sim/sim_outage.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig::sim {
namespace {

// Lab faults of a simulated outage switch (docs/drivers.md), for tests of verdicts:
//   misses: true          the outage is "in force" but its rule misses the devices (wrong interface
//                         or address): nothing on the segment notices
//   removed_after: 40s    someone removes the outage from outside that long after it started
//                         (`nft flush ruleset`, a firewall service restart)
//   sees_traffic: false   like a command or gpio backend, the switch cannot see which packets it
//                         stopped: only the devices' own reports show that the outage bites
struct SimOutageSettings {
  bool misses = false;
  bool sees_traffic = true;
  std::optional<Duration> removed_after;

  static SimOutageSettings read(const BackendSpec& spec, Diagnostics& diags) {
    SimOutageSettings s;
    read_backend_params(spec, diags, "sim outage backend", [&](MapReader& params) {
      if (const auto given = params.boolean("misses")) s.misses = *given;
      if (const auto sees = params.boolean("sees_traffic")) s.sees_traffic = *sees;
      s.removed_after = params.duration("removed_after");
    });
    return s;
  }
};

class SimOutageSwitch final : public OutageSwitch {
 public:
  SimOutageSwitch(std::shared_ptr<SimWorld> world, NetworkSegment& segment, SimOutageSettings settings)
      : world_(std::move(world)), segment_(segment), settings_(settings), done_(world_->clock()) {}

  void start(const OutageSpec& spec, Done done) override {
    started_ = spec;
    if (!settings_.misses) segment_.start_outage(spec);
    if (!settings_.misses && spec.mode == OutageMode::link && effects_) {
      effects_(OutageEffect{"", fmt::format("the link of segment {} is down", segment_.name())});
    }
    if (settings_.removed_after) {
      remover_ = world_->clock().after(*settings_.removed_after, [this] {
        if (!settings_.misses) segment_.stop_outage();
        removed_ = true;
      });
    }
    finish(std::move(done));
  }

  void stop(Done done) override {
    remover_.cancel();
    started_.reset();
    removed_ = false;
    if (!settings_.misses) segment_.stop_outage();
    finish(std::move(done));
  }

  bool active() const override { return started_.has_value(); }

  // The segment reports each device packet its outage stopped, as a real rule's counters would.
  // With a link outage the whole segment is cut, which the switch itself knows.
  void watch(Effects on_effect) override {
    if (!settings_.sees_traffic) return;
    effects_ = std::move(on_effect);
    segment_.on_blocked([this](const std::string& device, const std::string& what) {
      if (started_ && effects_) effects_(OutageEffect{device, what});
    });
  }
  ~SimOutageSwitch() override { segment_.on_blocked({}); }

  void hold(Done done) override {
    Status status;
    if (started_ && removed_) {
      status = fault(fmt::format("the outage on segment {} was removed from outside", segment_.name()));
    }
    done_.after(Duration{0}, [done = std::move(done), status] { done(status); });
  }

  std::string describe() const override {
    return fmt::format("simulated outage on segment {}", segment_.name());
  }

 private:
  void finish(Done done) {
    done_.after(Duration{0}, [done = std::move(done)] { done(Status{}); });
  }

  std::shared_ptr<SimWorld> world_;
  NetworkSegment& segment_;
  SimOutageSettings settings_;
  std::optional<OutageSpec> started_;
  Effects effects_;
  bool removed_ = false;
  Timer remover_;
  Pending done_;
};

}  // namespace

BackendFactory<OutageSwitch> sim_outage_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { SimOutageSettings::read(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            NetworkSegment* segment =
                site.segment == nullptr ? nullptr : world->find_segment(site.segment->name);
            if (segment == nullptr)
              throw std::runtime_error("the sim outage backend belongs to a network segment");
            Diagnostics ignored;  // validated before the run
            return std::make_unique<SimOutageSwitch>(std::move(world), *segment,
                                                     SimOutageSettings::read(site.spec, ignored));
          },
          .modes =
              [](const BackendSite&) {
                return std::vector<OutageMode>(std::begin(kOutageModes), std::end(kOutageModes));
              }};
}

}  // namespace cyanrig::sim
