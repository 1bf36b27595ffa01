#include "drivers/outage/command/command_outage.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/outage_params.hpp"
#include "drivers/posix/command_params.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kDefaultTimeout = 10s;
// The engine gives an outage request a bounded time to answer; a command may not outlast it.
constexpr Duration kMaxTimeout = kBackendAnswerLimit;

spdlog::logger& command_log() {
  return component_log("outage-command");
}

struct OutageCommands {
  std::string do_text;
  std::string undo_text;
  std::optional<std::string> status;
  Duration timeout = kDefaultTimeout;
  std::vector<OutageMode> modes{OutageMode::internet};
  std::vector<std::string> pass_env;  // secrets of the rack these commands may see
};

std::vector<OutageMode> read_modes(MapReader& params) {
  if (!params.has("modes")) return {OutageMode::internet};
  std::vector<OutageMode> out;
  for (const std::string& name : params.text_list("modes", true)) {
    const auto mode = outage_mode_named(name);
    if (!mode) {
      params.error("modes", fmt::format("unknown outage mode '{}'; modes: {}", name, outage_mode_names()));
    } else if (std::find(out.begin(), out.end(), *mode) == out.end()) {
      out.push_back(*mode);
    }
  }
  if (out.empty()) params.error("modes", "'modes' must list at least one outage mode");
  return out;
}

std::optional<OutageCommands> read_params(const BackendSpec& spec, Diagnostics& diags) {
  MapReader params(spec.params, spec.loc.file, diags, "command outage backend");
  if (!params.valid()) return std::nullopt;
  const std::size_t errors_before = diags.size();
  params.node("backend");
  OutageCommands out;
  const auto do_text = read_shell_command(params, "do", true);
  const auto undo_text = read_shell_command(params, "undo", true);
  out.status = read_shell_command(params, "status", false);
  if (const auto timeout = read_command_timeout(
          params, kMaxTimeout,
          "the rig waits " + format_duration(kMaxTimeout) + " for an outage request to answer")) {
    out.timeout = *timeout;
  }
  out.modes = read_modes(params);
  out.pass_env = read_pass_env(params);
  params.finish();
  if (!do_text || !undo_text || diags.size() != errors_before) return std::nullopt;
  out.do_text = *do_text;
  out.undo_text = *undo_text;
  return out;
}

class CommandOutageSwitch final : public OutageSwitch {
 public:
  CommandOutageSwitch(Clock& clock, OutageCommands commands, std::string segment,
                      std::vector<std::string> withheld)
      : clock_(clock),
        commands_(std::move(commands)),
        segment_(std::move(segment)),
        withheld_(std::move(withheld)),
        queue_(clock) {}

  void start(const OutageSpec& spec, Done done) override {
    if (std::find(commands_.modes.begin(), commands_.modes.end(), spec.mode) == commands_.modes.end()) {
      return clock_.post(lifetime_.bind([done = std::move(done), mode = spec.mode] {
        done(fault(
            fmt::format("this command backend performs no {} outages (see its 'modes')", to_string(mode))));
      }));
    }
    last_spec_ = spec;
    run_confirmed(commands_.do_text, true, [this, done = std::move(done)](Status status) {
      if (status.ok()) active_ = true;
      done(std::move(status));
    });
  }

  void stop(Done done) override {
    run_confirmed(commands_.undo_text, false, [this, done = std::move(done)](Status status) {
      if (status.ok()) active_ = false;
      done(std::move(status));
    });
  }

  bool active() const override { return active_; }

  std::string describe() const override {
    return fmt::format("commands do: '{}', undo: '{}'", commands_.do_text, commands_.undo_text);
  }

  // With a status command, it must still say the outage is in force; without one there is nothing to ask.
  void hold(Done done) override {
    if (!active_ || !commands_.status) {
      return clock_.post(lifetime_.bind([done = std::move(done)] { done(Status{}); }));
    }
    ask_status([this, done = std::move(done)](Status status, bool in_force) {
      if (!status.ok() || in_force) return done(std::move(status));
      done(fault(
          fmt::format("status command '{}' says no outage is in force on {}: it was lifted from outside",
                      *commands_.status, segment_)));
    });
  }

  // With a status command, undo only what is in force; without one the rig cannot tell, and runs
  // undo (which is safe to run twice) and reports nothing.
  void sweep(Swept done) override {
    if (active_) {
      return clock_.post(lifetime_.bind([done = std::move(done)] { done(Status{}, std::nullopt); }));
    }
    const auto undo = [this, done](bool known_in_force) {
      run(commands_.undo_text, [this, done, known_in_force](const CommandResult& result) {
        if (!result.exited_with(0)) return done(failure("undo", commands_.undo_text, result), std::nullopt);
        if (!known_in_force) return done(Status{}, std::nullopt);
        const std::string text =
            fmt::format("undid an outage left by an earlier run ('{}')", commands_.undo_text);
        command_log().info("{}: {}", segment_, text);  // the engine warns, once
        done(Status{}, text);
      });
    };
    if (!commands_.status) return undo(false);
    ask_status([done, undo](Status status, bool in_force) {
      if (!status.ok()) return done(std::move(status), std::nullopt);
      if (in_force) return undo(true);
      done(Status{}, std::nullopt);
    });
  }

  void inspect(std::function<void(const OutageStatus&)> reply) override {
    if (!commands_.status) {
      return clock_.post(lifetime_.bind([this, reply = std::move(reply)] {
        reply(OutageStatus{.in_force = active_,
                           .what = fmt::format("{} ({}; no status command to ask)", describe(),
                                               active_ ? "started by this run" : "not started by this run")});
      }));
    }
    ask_status([this, reply = std::move(reply)](Status status, bool in_force) {
      if (!status.ok()) return reply(OutageStatus{.what = describe(), .fault = std::move(status)});
      reply(OutageStatus{.in_force = in_force,
                         .what = fmt::format("{}: '{}' says {}", segment_, *commands_.status,
                                             in_force ? "an outage is in force" : "no outage")});
    });
  }

 private:
  Status failure(std::string_view role, const std::string& text, const CommandResult& result) const {
    return fault(fmt::format("{} command '{}' {}", role, text, describe_ending(result, commands_.timeout)));
  }

  void run(const std::string& text, ShellCommand::Finished then) {
    command_log().debug("{}: running '{}'", segment_, text);
    const Environment environment = outage_environment(segment_, last_spec_ ? &*last_spec_ : nullptr);
    queue_.run({.spec = {text, environment, commands_.timeout, withheld_}},
               lifetime_.bind([then = std::move(then)](const CommandOutput& out) { then(out.result); }));
  }

  // exit 0: in force; 1: not; anything else is a fault.
  void ask_status(std::function<void(Status, bool in_force)> answer) {
    run(*commands_.status, [this, answer = std::move(answer)](const CommandResult& result) {
      if (!result.exited_with(0) && !result.exited_with(1)) {
        const std::string why = failure("status", *commands_.status, result).message();
        return answer(fault(why + " (0 means in force, 1 not)"), false);
      }
      answer(Status{}, result.code == 0);
    });
  }

  // Runs do (or undo), then the status command when there is one to confirm it.
  void run_confirmed(const std::string& text, bool want_in_force, Done done) {
    run(text, [this, text, want_in_force, done = std::move(done)](const CommandResult& result) {
      if (!result.exited_with(0)) return done(failure(want_in_force ? "do" : "undo", text, result));
      if (!commands_.status) return done(Status{});
      ask_status([this, text, want_in_force, done](Status status, bool in_force) {
        if (!status.ok() || in_force == want_in_force) return done(std::move(status));
        done(fault(fmt::format("status command '{}' says {} after '{}' succeeded", *commands_.status,
                               in_force ? "an outage is still in force" : "no outage is in force", text)));
      });
    });
  }

  Clock& clock_;
  OutageCommands commands_;
  std::string segment_;
  std::vector<std::string> withheld_;
  CommandQueue queue_;
  std::optional<OutageSpec> last_spec_;
  bool active_ = false;
  Lifetime lifetime_;  // last: answers arriving after the switch is gone are dropped
};

}  // namespace

Environment outage_environment(const std::string& segment, const OutageSpec* spec) {
  Environment out{{"CYANRIG_SEGMENT", segment}};
  if (spec == nullptr) return out;
  out.emplace_back("CYANRIG_OUTAGE_MODE", std::string(to_string(spec->mode)));
  out.emplace_back("CYANRIG_OUTAGE_ACTION", std::string(to_string(spec->action)));
  if (spec->mode == OutageMode::impair) {
    out.emplace_back("CYANRIG_IMPAIR_LOSS_PERCENT", fmt::format("{}", spec->impair.loss_percent));
    out.emplace_back("CYANRIG_IMPAIR_DELAY_MS", fmt::format("{}", to_ms(spec->impair.delay)));
    out.emplace_back("CYANRIG_IMPAIR_JITTER_MS", fmt::format("{}", to_ms(spec->impair.jitter)));
  }
  return out;
}

BackendFactory<OutageSwitch> command_outage_backend() {
  return {.validate = [](const BackendSite& site, Diagnostics& diags) { read_params(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<OutageSwitch> {
            Diagnostics diags;
            OutageCommands commands =
                params_or_throw(read_params(site.spec, diags), diags, "command outage backend");
            require_steady_clock(ctx.clock(), "command");
            std::vector<std::string> withheld = withheld_variables(ctx.rack(), commands.pass_env);
            return std::make_unique<CommandOutageSwitch>(ctx.clock(), std::move(commands), segment_name(site),
                                                         std::move(withheld));
          },
          .modes =
              [](const BackendSite& site) {
                Diagnostics ignored;  // validate() reports them
                const auto commands = read_params(site.spec, ignored);
                return commands ? commands->modes : std::vector<OutageMode>{OutageMode::internet};
              }};
}

}  // namespace cyanrig
