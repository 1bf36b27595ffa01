#include "drivers/outage/link/link_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "drivers/outage/common/interface_outage.hpp"
#include "rig/core/component_log.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kIpTimeout = 10s;

spdlog::logger& link_log() {
  return component_log("link");
}

class LinkOutageSwitch final : public InterfaceOutageSwitch {
 public:
  LinkOutageSwitch(Clock& clock, InterfaceParams params, std::string segment,
                   std::vector<std::string> withheld)
      : InterfaceOutageSwitch(clock, std::move(params), std::move(segment), "link", {"ip", kIpTimeout},
                              std::move(withheld)) {}

  void start(const OutageSpec& spec, Done done) override {
    if (spec.mode != OutageMode::link) {
      return answer(std::move(done), fault(fmt::format("the link backend performs link outages, not {}",
                                                       to_string(spec.mode))));
    }
    link_log().info("{}: setting {} down", segment(), params().interface);
    set_link("down", [this, done = std::move(done)](Status status) {
      if (status.ok()) {
        set_active(true);
        watch_link();
      }
      done(std::move(status));
    });
  }

  // Up whatever start() did: bringing up a link that is up changes nothing.
  void stop(Done done) override {
    poll().stop();
    set_link("up", [this, done = std::move(done)](Status status) {
      if (status.ok()) set_active(false);
      done(std::move(status));
    });
  }

  // The link must still be down: `ip link set up` or a network restart from outside lifts the outage.
  void hold(Done done) override {
    if (!active()) return answer(std::move(done), Status{});
    show([this, done = std::move(done)](Status status, bool up) {
      if (!status.ok() || !up) return done(std::move(status));
      done(fault(fmt::format("{} was brought up from outside while the link outage on {} was in force",
                             params().interface, segment())));
    });
  }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    show([this, reply = std::move(reply)](Status status, bool up) {
      if (!status.ok()) return reply(OutageStatus{.what = describe(), .fault = std::move(status)});
      reply(OutageStatus{.in_force = !up,
                         .what = fmt::format("{} is {}{}", params().interface, up ? "up" : "down",
                                             up || active() ? "" : " (not necessarily by the rig)")});
    });
  }

 private:
  void set_link(std::string_view state, Done done) {
    run_tool({"ip", "link", "set", "dev", params().interface, std::string(state)}, false,
             [this, state = std::string(state), done = std::move(done)](const CommandOutput& out) {
               done(out.result.exited_with(0) ? Status{}
                                              : failure(state == "down" ? "take down" : "bring up", out));
             });
  }

  void show(std::function<void(Status, bool up)> shown) {
    run_tool({"ip", "-j", "link", "show", "dev", params().interface}, true,
             [this, shown = std::move(shown)](const CommandOutput& out) {
               if (!out.result.exited_with(0)) return shown(failure("read the state of", out), false);
               std::string error;
               const auto up = parse_link_up(out.output, error);
               if (!up) return shown(fault(fmt::format("{}: {}", params().interface, error)), false);
               shown(Status{}, *up);
             });
  }

  void watch_link() {
    poll().start([this](EffectPoll::Again again) {
      show([this, again](Status status, bool up) {
        const bool down = status.ok() && !up;
        if (down) report_effect(fmt::format("{} is down", params().interface));
        again(!down);
      });
    });
  }
};

}  // namespace

std::optional<bool> parse_link_up(std::string_view json, std::string& error) {
  nlohmann::json links;
  try {
    links = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    error = fmt::format("ip printed something that is not JSON ({})", e.what());
    return std::nullopt;
  }
  if (!links.is_array() || links.empty() || !links[0].is_object() || !links[0].contains("flags") ||
      !links[0]["flags"].is_array()) {
    error = "ip printed JSON without the link's flags";
    return std::nullopt;
  }
  const auto& flags = links[0]["flags"];
  return std::find(flags.begin(), flags.end(), "UP") != flags.end();
}

BackendFactory<OutageSwitch> link_outage_backend() {
  return interface_outage_backend<LinkOutageSwitch>("link", {OutageMode::link});
}

}  // namespace cyanrig
