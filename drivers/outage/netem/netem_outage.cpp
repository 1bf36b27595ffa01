#include "drivers/outage/netem/netem_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/effect_poll.hpp"
#include "drivers/outage/common/outage_params.hpp"
#include "rig/core/component_log.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kTcTimeout = 10s;
constexpr Duration kCheckPeriod = 500ms;

spdlog::logger& netem_log() {
  return component_log("netem");
}

// tc reads "200ms" and "1500us"; whole milliseconds read best.
std::string tc_time(Duration d) {
  if (d.count() % 1000 == 0) return fmt::format("{}ms", d.count() / 1000);
  return fmt::format("{}us", d.count());
}

class NetemOutageSwitch final : public OutageSwitch {
 public:
  NetemOutageSwitch(Clock& clock, InterfaceParams params, std::string segment)
      : clock_(clock),
        params_(std::move(params)),
        segment_(std::move(segment)),
        tools_(clock),
        poll_(clock, kCheckPeriod) {}

  void start(const OutageSpec& spec, Done done) override {
    if (spec.mode != OutageMode::impair) {
      return answer(std::move(done), fault(fmt::format("the netem backend performs impair outages, not {}",
                                                       to_string(spec.mode))));
    }
    netem_log().info("{}: {} on {}", segment_, cyanrig::describe(spec), params_.interface);
    tc(netem_command(params_.interface, spec.impair), false,
       [this, spec, done = std::move(done)](const CommandOutput& out) {
         if (!out.result.exited_with(0)) return done(failure("put netem on", out));
         active_ = true;
         watch_qdisc(cyanrig::describe(spec));
         done(std::nullopt);
       });
  }

  void stop(Done done) override {
    poll_.stop();
    remove_ours([this, done = std::move(done)](Status status, bool) {
      if (!status) active_ = false;
      done(std::move(status));
    });
  }

  bool active() const override { return active_; }

  std::string describe() const override {
    return fmt::format("netem on {}{}", params_.interface,
                       params_.netns.empty() ? "" : " in netns " + params_.netns);
  }

  void watch(Effects on_effect) override { on_effect_ = std::move(on_effect); }

  void sweep(Swept done) override {
    if (active_) return answer_swept(std::move(done), std::nullopt, std::nullopt);
    remove_ours([this, done = std::move(done)](Status status, bool removed) {
      if (status || !removed) return done(std::move(status), std::nullopt);
      const std::string text =
          fmt::format("removed the netem qdisc on {} left by an earlier run", params_.interface);
      netem_log().info("{}", text);  // the engine warns, once
      done(std::nullopt, text);
    });
  }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    show([this, reply = std::move(reply)](Status status, const RootQdisc& root) {
      if (status) return reply(OutageStatus{.what = describe(), .fault = std::move(status)});
      OutageStatus out;
      out.in_force = root.kind == "netem";
      if (out.in_force) {
        out.what = fmt::format("impair on {}: netem on {}", segment_, params_.interface);
        out.details.push_back(fmt::format("{} packets sent, {} dropped", root.packets, root.drops));
      } else {
        out.what = fmt::format("no netem on {} (root qdisc: {})", params_.interface,
                               root.kind.empty() ? "none" : root.kind);
      }
      reply(out);
    });
  }

 private:
  using Shown = std::function<void(Status, const RootQdisc&)>;

  void answer(Done done, Status status) {
    clock_.post(lifetime_.bind([done = std::move(done), status = std::move(status)] { done(status); }));
  }
  void answer_swept(Swept done, Status status, std::optional<std::string> removed) {
    clock_.post(lifetime_.bind([done = std::move(done), status, removed] { done(status, removed); }));
  }

  void tc(std::vector<std::string> argv, bool keep_output, CommandQueue::Finished then) {
    QueuedCommand command{.spec = {.text = tool_command_line(params_.netns, argv), .timeout = kTcTimeout},
                          .keep_output = keep_output};
    tools_.run(std::move(command), lifetime_.bind(std::move(then)));
  }

  Status failure(std::string_view what, const CommandOutput& out) const {
    return fault(fmt::format("tc could not {} {}: {}", what, params_.interface,
                             describe_ending(out.result, kTcTimeout)));
  }

  void show(Shown shown) {
    tc({"tc", "-s", "-j", "qdisc", "show", "dev", params_.interface}, true,
       [this, shown = std::move(shown)](const CommandOutput& out) {
         if (!out.result.exited_with(0)) return shown(failure("list the qdiscs of", out), {});
         std::string error;
         const auto root = parse_root_qdisc(out.output, error);
         if (!root) return shown(fault(fmt::format("{}: {}", params_.interface, error)), {});
         shown(std::nullopt, *root);
       });
  }

  // Deletes the root qdisc if it is netem; `removed` says whether there was one.
  void remove_ours(std::function<void(Status, bool removed)> done) {
    show([this, done = std::move(done)](Status status, const RootQdisc& root) {
      if (status || root.kind != "netem") return done(std::move(status), false);
      tc({"tc", "qdisc", "del", "dev", params_.interface, "root"}, false,
         [this, done](const CommandOutput& out) {
           if (!out.result.exited_with(0)) return done(failure("remove netem from", out), false);
           done(std::nullopt, true);
         });
    });
  }

  // The effect of an impairment is the qdisc in place: it cannot stop traffic, only shape it.
  void watch_qdisc(std::string what) {
    poll_.start([this, what = std::move(what)](EffectPoll::Again again) {
      show([this, what, again](Status status, const RootQdisc& root) {
        const bool seen = !status && root.kind == "netem";
        if (seen && on_effect_)
          on_effect_(OutageEffect{"", fmt::format("netem on {}: {}", params_.interface, what)});
        again(!seen);
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

std::vector<std::string> netem_command(const std::string& interface, const Impairment& impairment) {
  std::vector<std::string> out{"tc", "qdisc", "replace", "dev", interface, "root", "netem"};
  if (impairment.loss_percent > 0) {
    out.insert(out.end(), {"loss", fmt::format("{}%", impairment.loss_percent)});
  }
  if (impairment.delay > Duration{0} || impairment.jitter > Duration{0}) {
    out.insert(out.end(), {"delay", tc_time(impairment.delay)});
    if (impairment.jitter > Duration{0}) out.push_back(tc_time(impairment.jitter));
  }
  return out;
}

std::optional<RootQdisc> parse_root_qdisc(std::string_view json, std::string& error) {
  nlohmann::json qdiscs;
  try {
    qdiscs = nlohmann::json::parse(json);
  } catch (const nlohmann::json::parse_error& e) {
    error = fmt::format("tc printed something that is not JSON ({})", e.what());
    return std::nullopt;
  }
  if (!qdiscs.is_array()) {
    error = "tc printed JSON that is not a list of qdiscs";
    return std::nullopt;
  }
  for (const auto& qdisc : qdiscs) {
    if (!qdisc.is_object() || !qdisc.value("root", false)) continue;
    return RootQdisc{.kind = qdisc.value("kind", ""),
                     .packets = qdisc.value("packets", std::uint64_t{0}),
                     .drops = qdisc.value("drops", std::uint64_t{0})};
  }
  return RootQdisc{};
}

BackendFactory<OutageSwitch> netem_outage_backend() {
  return interface_outage_backend<NetemOutageSwitch>("netem", {OutageMode::impair});
}

}  // namespace cyanrig
