// `cyanrig gate --baseline last-pass|RUN|tag:NAME [--max-regression 20%] [--run RUN]`: compares a
// recorded run's measurements, per platform, with a baseline run's; exit 1 with a table when one got
// slower beyond the margin and beyond noise.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/gate_table.hpp"
#include "cli/history_choice.hpp"

namespace cyanrig::cli {
namespace {

struct GateCommandArgs {
  GateArgs gate;
  std::int64_t run = 0;  // 0: the latest run (of --scenario)
  std::string scenario;
  HistoryOptions history;
};

int cmd_gate(const GateCommandArgs& args) {
  int exit_code = kExitPass;
  auto history = open_required_history(args.history, "gate", exit_code);
  if (!history) return exit_code;
  std::int64_t candidate = args.run;
  if (candidate == 0) {
    const auto latest = history->runs({.scenario = args.scenario, .limit = 1});
    if (latest.empty()) {
      fmt::print(stderr, "cyanrig gate: no recorded run{} to gate\n",
                 args.scenario.empty() ? "" : " of " + args.scenario);
      return kExitInvalid;
    }
    candidate = latest.back().id;
  }
  return run_gate(*history, candidate, args.gate, stdout);
}

}  // namespace

void add_gate_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<GateCommandArgs>();
  auto* cmd = app.add_subcommand(
      "gate",
      "Fail (exit 1) when a run's measurements got slower than a baseline's beyond a margin and noise");
  cmd->add_option("--baseline", args->gate.baseline, "last-pass, a run number or tag:NAME")->required();
  cmd->add_option("--run", args->run, "The run to gate (default: the latest recorded)");
  cmd->add_option("--scenario", args->scenario, "With no --run: the latest run of this scenario");
  add_gate_settings(cmd, args->gate);
  add_history_options(cmd, args->history, false);
  commands.on(cmd, [args] { return cmd_gate(*args); });
}

}  // namespace cyanrig::cli
