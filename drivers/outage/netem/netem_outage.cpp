#include "drivers/outage/netem/netem_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <nlohmann/json.hpp>

#include "drivers/outage/common/interface_outage.hpp"
#include "rig/core/component_log.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kTcTimeout = 10s;

spdlog::logger& netem_log() {
  return component_log("netem");
}

// tc reads "200ms" and "1500us"; whole milliseconds read best.
std::string tc_time(Duration d) {
  if (d.count() % 1000 == 0) return fmt::format("{}ms", d.count() / 1000);
  return fmt::format("{}us", d.count());
}

class NetemOutageSwitch final : public InterfaceOutageSwitch {
 public:
  NetemOutageSwitch(Clock& clock, InterfaceParams params, std::string segment,
                    std::vector<std::string> withheld)
      : InterfaceOutageSwitch(clock, std::move(params), std::move(segment), "netem on", {"tc", kTcTimeout},
                              std::move(withheld)) {}

  void start(const OutageSpec& spec, Done done) override {
    if (spec.mode != OutageMode::impair) {
      return answer(std::move(done), fault(fmt::format("the netem backend performs impair outages, not {}",
                                                       to_string(spec.mode))));
    }
    netem_log().info("{}: {} on {}", segment(), cyanrig::describe(spec), params().interface);
    run_tool(netem_command(params().interface, spec.impair), false,
             [this, spec, done = std::move(done)](const CommandOutput& out) {
               if (!out.result.exited_with(0)) return done(failure("put netem on", out));
               set_active(true);
               watch_qdisc(cyanrig::describe(spec));
               done(Status{});
             });
  }

  void stop(Done done) override {
    poll().stop();
    remove_ours([this, done = std::move(done)](Status status, bool) {
      if (status.ok()) set_active(false);
      done(std::move(status));
    });
  }

  // The qdisc must still be netem: a `tc qdisc del` or a network restart from outside lifts it.
  void hold(Done done) override {
    if (!active()) return answer(std::move(done), Status{});
    show([this, done = std::move(done)](Status status, const RootQdisc& root) {
      if (!status.ok() || root.kind == "netem") return done(std::move(status));
      done(fault(
          fmt::format("the netem qdisc on {} was removed from outside while the impair outage on {} was in "
                      "force (root qdisc now: {})",
                      params().interface, segment(), root.kind.empty() ? "none" : root.kind)));
    });
  }

  void sweep(Swept done) override {
    if (active()) {
      return clock().post(bound([done = std::move(done)] { done(Status{}, std::nullopt); }));
    }
    remove_ours([this, done = std::move(done)](Status status, bool removed) {
      if (!status.ok() || !removed) return done(std::move(status), std::nullopt);
      const std::string text =
          fmt::format("removed the netem qdisc on {} left by an earlier run", params().interface);
      netem_log().info("{}", text);  // the engine warns, once
      done(Status{}, text);
    });
  }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    show([this, reply = std::move(reply)](Status status, const RootQdisc& root) {
      if (!status.ok()) return reply(OutageStatus{.what = describe(), .fault = std::move(status)});
      OutageStatus out;
      out.in_force = root.kind == "netem";
      if (out.in_force) {
        out.what = fmt::format("impair on {}: netem on {}", segment(), params().interface);
        out.details.push_back(fmt::format("{} packets sent, {} dropped", root.packets, root.drops));
      } else {
        out.what = fmt::format("no netem on {} (root qdisc: {})", params().interface,
                               root.kind.empty() ? "none" : root.kind);
      }
      reply(out);
    });
  }

 private:
  using Shown = std::function<void(Status, const RootQdisc&)>;

  void show(Shown shown) {
    run_tool({"tc", "-s", "-j", "qdisc", "show", "dev", params().interface}, true,
             [this, shown = std::move(shown)](const CommandOutput& out) {
               if (!out.result.exited_with(0)) return shown(failure("list the qdiscs of", out), {});
               std::string error;
               const auto root = parse_root_qdisc(out.output, error);
               if (!root) return shown(fault(fmt::format("{}: {}", params().interface, error)), {});
               shown(Status{}, *root);
             });
  }

  // Deletes the root qdisc if it is netem; `removed` says whether there was one.
  void remove_ours(std::function<void(Status, bool removed)> done) {
    show([this, done = std::move(done)](Status status, const RootQdisc& root) {
      if (!status.ok() || root.kind != "netem") return done(std::move(status), false);
      run_tool({"tc", "qdisc", "del", "dev", params().interface, "root"}, false,
               [this, done](const CommandOutput& out) {
                 if (!out.result.exited_with(0)) return done(failure("remove netem from", out), false);
                 done(Status{}, true);
               });
    });
  }

  // The effect of an impairment is the qdisc in place: it cannot stop traffic, only shape it.
  void watch_qdisc(std::string what) {
    poll().start([this, what = std::move(what)](EffectPoll::Again again) {
      show([this, what, again](Status status, const RootQdisc& root) {
        const bool seen = status.ok() && root.kind == "netem";
        if (seen) report_effect(fmt::format("netem on {}: {}", params().interface, what));
        again(!seen);
      });
    });
  }
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
