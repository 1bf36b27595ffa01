// `cyanrig report DIR...`: (re)writes report.html in results folders, old ones included; with a history
// that holds the run, its trend too.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/history_choice.hpp"
#include "cli/run_report.hpp"

namespace cyanrig::cli {
namespace {

struct ReportArgs {
  std::vector<std::string> dirs;
  HistoryOptions history;
};

int cmd_report(const ReportArgs& args) {
  std::unique_ptr<RunHistory> history;
  try {
    history = open_history(args.history);
  } catch (const HistoryError& e) {
    fmt::print(stderr, "cyanrig report: {} (writing the reports without the trend)\n", e.what());
  }
  int exit_code = kExitPass;
  for (const std::string& dir : args.dirs) {
    Diagnostics diags;
    const auto run = read_results_folder(dir, diags);
    if (run) {
      try {
        fmt::print("{}\n", write_run_report(*run, history.get(), device_segments(*run), diags).string());
      } catch (const std::exception& e) {
        fmt::print(stderr, "cyanrig report: {}\n", e.what());
        exit_code = std::max(exit_code, kExitInfrastructure);
      }
    } else {
      exit_code = std::max(exit_code, kExitInvalid);
    }
    for (const Diagnostic& d : diags.items()) fmt::print(stderr, "{}\n", d.to_string());
  }
  return exit_code;
}

}  // namespace

void add_report_command(CLI::App& app, Subcommands& commands) {
  auto args = std::make_shared<ReportArgs>();
  auto* cmd = app.add_subcommand("report", "Write report.html into results folders (a self-contained page)");
  cmd->add_option("dirs", args->dirs, "Results folders (results/<UTC time>-<scenario>)")->required();
  add_history_options(cmd, args->history, true);
  commands.on(cmd, [args] { return cmd_report(*args); });
}

}  // namespace cyanrig::cli
