#include "drivers/power/command/command_power.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <chrono>
#include <deque>
#include <stdexcept>

#include "drivers/posix/command_params.hpp"
#include "drivers/posix/shell_command.hpp"
#include "rig/clock.hpp"
#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

constexpr Duration kDefaultTimeout = 10s;
// The engine gives any power change this long to answer; a longer command timeout could never be seen.
constexpr Duration kMaxTimeout = kBackendAnswerLimit;

spdlog::logger& command_log() {
  return component_log("command");
}

struct PowerCommands {
  std::string on;
  std::string off;
  std::optional<std::string> status;
  Duration timeout = kDefaultTimeout;
  std::vector<std::string> pass_env;  // secrets of the rack these commands may see
};

std::optional<PowerCommands> read_params(const BackendSpec& spec, Diagnostics& diags) {
  MapReader params(spec.params, spec.loc.file, diags, "command power backend");
  if (!params.valid()) return std::nullopt;
  const std::size_t errors_before = diags.size();
  params.node("backend");
  PowerCommands out;
  const auto on = read_shell_command(params, "on", true);
  const auto off = read_shell_command(params, "off", true);
  out.status = read_shell_command(params, "status", false);
  if (const auto timeout = read_command_timeout(
          params, kMaxTimeout,
          "the rig waits " + format_duration(kMaxTimeout) + " for any power change to answer")) {
    out.timeout = *timeout;
  }
  out.pass_env = read_pass_env(params);
  params.finish();
  if (!on || !off || diags.size() != errors_before) return std::nullopt;
  out.on = *on;
  out.off = *off;
  return out;
}

class CommandPowerSwitch final : public PowerSwitch {
 public:
  CommandPowerSwitch(Clock& clock, PowerCommands commands, Environment environment,
                     std::vector<std::string> withheld, std::string device)
      : clock_(clock),
        commands_(std::move(commands)),
        environment_(std::move(environment)),
        withheld_(std::move(withheld)),
        device_(std::move(device)) {}

  // Requests queue: a relay must end in the state asked for last, so commands never overlap.
  void set(PowerState state, Done done) override {
    queue_.push_back({state, std::move(done)});
    if (queue_.size() == 1) switch_front();
  }

  std::string describe() const override {
    return fmt::format("commands on: '{}', off: '{}'", commands_.on, commands_.off);
  }

 private:
  struct Request {
    PowerState state;
    Done done;
  };

  const std::string& command_for(PowerState state) const {
    return state == PowerState::on ? commands_.on : commands_.off;
  }

  void switch_front() {
    run(command_for(queue_.front().state), [this](const CommandResult& result) { after_switch(result); });
  }

  void after_switch(const CommandResult& result) {
    const std::string& command = command_for(queue_.front().state);
    if (!result.exited_with(0)) {
      return finish(
          fault(fmt::format("command '{}' {}", command, describe_ending(result, commands_.timeout))));
    }
    if (!commands_.status) return finish(Status{});
    run(*commands_.status, [this](const CommandResult& status) { after_status(status); });
  }

  void after_status(const CommandResult& result) {
    const PowerState wanted = queue_.front().state;
    if (!result.exited_with(0) && !result.exited_with(1)) {
      return finish(fault(fmt::format("status command '{}' {} (0 means on, 1 off)", *commands_.status,
                                      describe_ending(result, commands_.timeout))));
    }
    const PowerState seen = result.code == 0 ? PowerState::on : PowerState::off;
    if (seen == wanted) return finish(Status{});
    finish(fault(fmt::format("status command '{}' says {} after '{}' succeeded", *commands_.status,
                             to_string(seen), command_for(wanted))));
  }

  // Called from a command's completion, so on the loop: the answer is never given inside set().
  void finish(Status status) {
    Done done = std::move(queue_.front().done);
    queue_.pop_front();
    if (!queue_.empty()) switch_front();
    done(std::move(status));
  }

  void run(const std::string& command, ShellCommand::Finished then) {
    command_log().debug("{}: running '{}'", device_, command);
    const Instant started = clock_.now();
    current_ =
        ShellCommand::start(clock_, {command, environment_, commands_.timeout, withheld_},
                            [this, command, started, then = std::move(then)](const CommandResult& result) {
                              command_log().debug("{}: '{}' {} after {}", device_, command,
                                                  describe_ending(result, commands_.timeout),
                                                  format_elapsed(clock_.now() - started));
                              then(result);
                            });
  }

  Clock& clock_;
  PowerCommands commands_;
  Environment environment_;
  std::vector<std::string> withheld_;
  std::string device_;
  std::deque<Request> queue_;  // front: being switched now
  ShellCommand current_;       // destroyed with the switch: kills a command still running, no answer
};

}  // namespace

BackendFactory<PowerSwitch> command_power_backend() {
  return {
      .validate = [](const BackendSite& site, Diagnostics& diags) { read_params(site.spec, diags); },
      .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<PowerSwitch> {
        Diagnostics diags;
        auto commands = read_params(site.spec, diags);
        if (!commands) {
          throw std::runtime_error(diags.empty() ? "command power backend: bad parameters"
                                                 : diags.items().front().to_string());
        }
        if (ctx.clock().is_virtual()) {
          throw std::runtime_error(
              "the command power backend runs real processes and needs the steady clock, not the simulated "
              "one");
        }
        Environment environment;
        std::string device = "?";
        if (site.device != nullptr) {
          device = site.device->name;
          environment = {{"CYANRIG_DEVICE", site.device->name}, {"CYANRIG_DEVICE_ID", site.device->id.str()}};
        }
        std::vector<std::string> withheld = withheld_variables(ctx.rack(), commands->pass_env);
        return std::make_unique<CommandPowerSwitch>(ctx.clock(), std::move(*commands), std::move(environment),
                                                    std::move(withheld), std::move(device));
      }};
}

}  // namespace cyanrig
