#include "drivers/outage/link/link_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/effect_poll.hpp"
#include "drivers/outage/common/outage_params.hpp"
#include "rig/core/component_log.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kIpTimeout = 10s;
constexpr Duration kCheckPeriod = 500ms;

spdlog::logger& link_log() {
  return component_log("link");
}

class LinkOutageSwitch final : public OutageSwitch {
 public:
  LinkOutageSwitch(Clock& clock, InterfaceParams params, std::string segment)
      : clock_(clock),
        params_(std::move(params)),
        segment_(std::move(segment)),
        tools_(clock),
        poll_(clock, kCheckPeriod) {}

  void start(const OutageSpec& spec, Done done) override {
    if (spec.mode != OutageMode::link) {
      return clock_.post(lifetime_.bind([done = std::move(done), mode = spec.mode] {
        done(fault(fmt::format("the link backend performs link outages, not {}", to_string(mode))));
      }));
    }
    link_log().info("{}: setting {} down", segment_, params_.interface);
    set_link("down", [this, done = std::move(done)](Status status) {
      if (!status) {
        active_ = true;
        watch_link();
      }
      done(std::move(status));
    });
  }

  // Up whatever start() did: bringing up a link that is up changes nothing.
  void stop(Done done) override {
    poll_.stop();
    set_link("up", [this, done = std::move(done)](Status status) {
      if (!status) active_ = false;
      done(std::move(status));
    });
  }

  bool active() const override { return active_; }

  std::string describe() const override {
    return fmt::format("link {}{}", params_.interface,
                       params_.netns.empty() ? "" : " in netns " + params_.netns);
  }

  void watch(Effects on_effect) override { on_effect_ = std::move(on_effect); }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    show([this, reply = std::move(reply)](Status status, bool up) {
      if (status) return reply(OutageStatus{.what = describe(), .fault = std::move(status)});
      reply(OutageStatus{.in_force = !up,
                         .what = fmt::format("{} is {}{}", params_.interface, up ? "up" : "down",
                                             up || active_ ? "" : " (not necessarily by the rig)")});
    });
  }

 private:
  void ip(std::vector<std::string> argv, bool keep_output, CommandQueue::Finished then) {
    QueuedCommand command{.spec = {.text = tool_command_line(params_.netns, argv), .timeout = kIpTimeout},
                          .keep_output = keep_output};
    tools_.run(std::move(command), lifetime_.bind(std::move(then)));
  }

  Status failure(std::string_view what, const CommandOutput& out) const {
    return fault(fmt::format("ip could not {} {}: {}", what, params_.interface,
                             describe_ending(out.result, kIpTimeout)));
  }

  void set_link(std::string_view state, Done done) {
    ip({"ip", "link", "set", "dev", params_.interface, std::string(state)}, false,
       [this, state = std::string(state), done = std::move(done)](const CommandOutput& out) {
         done(out.result.exited_with(0) ? std::nullopt
                                        : failure(state == "down" ? "take down" : "bring up", out));
       });
  }

  void show(std::function<void(Status, bool up)> shown) {
    ip({"ip", "-j", "link", "show", "dev", params_.interface}, true,
       [this, shown = std::move(shown)](const CommandOutput& out) {
         if (!out.result.exited_with(0)) return shown(failure("read the state of", out), false);
         std::string error;
         const auto up = parse_link_up(out.output, error);
         if (!up) return shown(fault(fmt::format("{}: {}", params_.interface, error)), false);
         shown(std::nullopt, *up);
       });
  }

  void watch_link() {
    poll_.start([this](EffectPoll::Again again) {
      show([this, again](Status status, bool up) {
        const bool down = !status && !up;
        if (down && on_effect_) on_effect_(OutageEffect{"", fmt::format("{} is down", params_.interface)});
        again(!down);
      });
    });
  }

  Clock& clock_;
  InterfaceParams params_;
  std::string segment_;
  CommandQueue tools_;
  bool active_ = false;
  Effects on_effect_;
  EffectPoll poll_;
  Lifetime lifetime_;  // last: answers arriving after the switch is gone are dropped
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
