#include "drivers/outage/gpio/gpio_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/outage_params.hpp"
#include "drivers/power/gpiod/gpiod_power.hpp"
#include "rig/core/component_log.hpp"

namespace cyanrig {
namespace {

spdlog::logger& gpio_log() {
  return component_log("gpio-outage");
}

constexpr OutageMode kModes[] = {OutageMode::link, OutageMode::internet};

class GpioOutageSwitch final : public OutageSwitch {
 public:
  GpioOutageSwitch(Clock& clock, std::unique_ptr<PowerSwitch> relay, std::string segment)
      : clock_(clock), relay_(std::move(relay)), segment_(std::move(segment)) {}

  void start(const OutageSpec& spec, Done done) override {
    if (std::find(std::begin(kModes), std::end(kModes), spec.mode) == std::end(kModes)) {
      return clock_.post(lifetime_.bind([done = std::move(done), mode = spec.mode] {
        done(fault(fmt::format("the gpio backend cuts the antenna (link or internet), it cannot do {}",
                               to_string(mode))));
      }));
    }
    gpio_log().info("{}: cutting the antenna ({})", segment_, relay_->describe());
    switch_relay(true, std::move(done));
  }

  // Reconnects whatever state the relay is in; driving a line to the level it has changes nothing.
  void stop(Done done) override { switch_relay(false, std::move(done)); }

  bool active() const override { return active_; }

  std::string describe() const override { return fmt::format("antenna relay {}", relay_->describe()); }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    clock_.post(lifetime_.bind([this, reply = std::move(reply)] {
      // The line is held by this process from the moment the backend is built, at the connected
      // level: what it drives is exactly what this process asked for last.
      reply(OutageStatus{.in_force = active_,
                         .what = fmt::format("{}: antenna {} ({})", segment_, active_ ? "cut" : "connected",
                                             relay_->describe())});
    }));
  }

 private:
  void switch_relay(bool cut, Done done) {
    relay_->set(antenna_relay_state(cut), lifetime_.bind([this, cut, done = std::move(done)](Status status) {
      if (status.ok()) active_ = cut;
      done(std::move(status));
    }));
  }

  Clock& clock_;
  std::unique_ptr<PowerSwitch> relay_;
  std::string segment_;
  bool active_ = false;
  Lifetime lifetime_;  // last: answers arriving after the switch is gone are dropped
};

}  // namespace

BackendFactory<OutageSwitch> gpio_outage_backend() {
  return {
      .validate =
          [](const BackendSite& site, Diagnostics& diags) {
            gpiod_power_backend().validate(BackendSite{site.spec, nullptr, site.segment}, diags);
          },
      .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
        // The relay's safe state is "antenna connected", whatever the rack says for supplies: the
        // gpiod backend takes its line at the safe level, so it gets a rack that says so.
        Rack relay_rack = ctx.rack();
        relay_rack.safe_power = antenna_relay_state(false);
        BackendContext relay_context(ctx.clock(), relay_rack, ctx.seed());
        auto relay =
            gpiod_power_backend().create(BackendSite{site.spec, nullptr, site.segment}, relay_context);
        return std::make_unique<GpioOutageSwitch>(ctx.clock(), std::move(relay), segment_name(site));
      },
      .modes =
          [](const BackendSite&) { return std::vector<OutageMode>(std::begin(kModes), std::end(kModes)); },
      .claims = [](const BackendSite& site) { return gpio_line_claims(site.spec); }};
}

}  // namespace cyanrig
