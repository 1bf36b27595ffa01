// `cyanrig run SCENARIO [--rack R]`: runs a scenario, shows live progress and the verdict table, writes
// the results folder; exits 0 pass, 1 device failure, 2 invalid usage or files, 3 infrastructure.
#include <fmt/format.h>

#include <memory>

#include "cli/after_run.hpp"
#include "cli/command_line.hpp"
#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "cli/rack_choice.hpp"
#include "cli/run_report.hpp"
#include "cli/shipped_scenarios.hpp"
#include "rig/engine/engine.hpp"
#include "rig/results/results_folder.hpp"
#include "rig/scenario/scenario_file.hpp"

namespace cyanrig::cli {
namespace {

namespace fs = std::filesystem;

struct RunArgs {
  std::string scenario;
  std::string rack;
  std::uint64_t seed = 1;
  std::string results = "results";
  bool no_results = false;
  std::string progress = "auto";
  AfterRunArgs after;  // history, report, gate
  Duration lock_wait{0};
};

int cmd_run(const RunArgs& args) {
  Diagnostics diags;
  const auto rack = load_rack(args.rack, diags);
  const ScenarioChoice choice = find_scenario(args.scenario);
  if (choice.file.empty()) diags.error({}, choice.problem);
  const auto scenario =
      choice.file.empty() ? std::nullopt : load_scenario_file(choice.file, diags, rack ? &*rack : nullptr);
  if (rack && scenario) check_scenario_against_rack(*scenario, *rack, diags, &backends());
  print_warnings(diags);
  if (!diags.empty() || !rack || !scenario) {
    const std::size_t problems = print_diagnostics(diags);
    fmt::print(stderr, "cyanrig: nothing was run ({} problem{})\n", problems, problems == 1 ? "" : "s");
    return kExitInvalid;
  }
  // One user at a time on a rack with real backends (docs/operations.md); the sim rack takes no lock.
  const auto lock = lock_rack(*rack, {.command = "run", .scenario = scenario->name, .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  Progress::Style style = Progress::style_for(stdout);
  if (args.progress == "plain") style = Progress::Style::plain;
  if (args.progress == "quiet") style = Progress::Style::quiet;
  if (args.progress == "live") style = Progress::Style::live;
  Progress progress(style, stdout);
  RunOptions options;
  options.seed = args.seed;
  options.results_root = args.no_results ? fs::path() : fs::path(args.results);
  // Runs that died before they finished left folders saying "running": say what they are.
  if (!options.results_root.empty()) {
    for (const std::string& line : repair_results_under(options.results_root))
      fmt::print(stderr, "cyanrig: {}\n", line);
  }
  options.observe = [&](Timeline& timeline, const Scenario& s) { progress.attach(timeline, s); };
  const RunReport report = run_scenario(*scenario, *rack, backends(), options);
  try {
    progress.finish();
    print_verdict(stdout, report.result, report.results_dir.string());
  } catch (const std::exception&) {
    // stdout is gone (`cyanrig run ... | head`): the verdict is in the results and the exit code.
  }
  return after_run(args.after, report.results_dir, device_segments(*rack),
                   static_cast<int>(report.result.exit_code()));
}

}  // namespace

void add_run_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<RunArgs>();
  auto* cmd = app.add_subcommand("run",
                                 "Run a scenario and write results; exit 0 pass, 1 device failure, "
                                 "2 invalid files, 3 infrastructure error");
  cmd->add_option("scenario", args->scenario, "Scenario file, or the name of a shipped scenario")->required();
  cmd->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
  cmd->add_option("--seed", args->seed, "Seed for the simulated rack (same seed, same run)")
      ->check(whole_number(0, UINT64_MAX));
  cmd->add_option("--results", args->results, "Folder that receives results/<UTC time>-<scenario>/");
  cmd->add_flag("--no-results", args->no_results, "Write no results folder (verdict and exit code only)");
  cmd->add_option("--progress", args->progress, "auto (live on a terminal), live, plain or quiet")
      ->check(CLI::IsMember({"auto", "live", "plain", "quiet"}));
  add_after_run_options(cmd, args->after);
  add_lock_wait_option(*cmd, args->lock_wait);
  commands.on(cmd, [args] { return cmd_run(*args); });
}

}  // namespace cyanrig::cli
