// `cyanrig results repair DIR...`: a results folder whose run died (SIGKILL, OOM, power cut) still
// says "running"; this folds its events.jsonl again and marks it aborted, with a junit.xml saying so.
// `cyanrig run` does the same for the folders under its --results folder before it starts.
#include <fmt/format.h>

#include <filesystem>
#include <memory>

#include "cli/commands.hpp"
#include "rig/results/results_folder.hpp"

namespace cyanrig::cli {
namespace {

namespace fs = std::filesystem;

int cmd_repair(const std::vector<std::string>& dirs) {
  int exit = kExitPass;
  for (const std::string& dir : dirs) {
    try {
      // A folder of results folders, or one results folder.
      const std::vector<std::string> done = fs::exists(fs::path(dir) / "summary.json")
                                                ? std::vector<std::string>{repair_results_folder(dir)}
                                                : repair_results_under(dir);
      bool any = false;
      for (const std::string& line : done) {
        if (line.empty()) continue;
        fmt::print("{}\n", line);
        any = true;
      }
      if (!any) fmt::print("{}: nothing to repair\n", dir);
    } catch (const std::exception& e) {
      fmt::print(stderr, "cyanrig results repair: {}\n", e.what());
      exit = kExitInvalid;
    }
  }
  return exit;
}

}  // namespace

void add_results_commands(CLI::App& app, Subcommands& commands) {
  auto dirs = std::make_shared<std::vector<std::string>>();
  auto* results = app.add_subcommand("results", "Results folders");
  results->require_subcommand(1);
  auto* repair = results->add_subcommand(
      "repair", "Mark the results folders of runs that died (killed, crashed, powered off) as aborted");
  repair->add_option("dirs", *dirs, "Results folders, or folders of them (e.g. results/)")
      ->required()
      ->check(CLI::ExistingDirectory);
  commands.on(repair, [dirs] { return cmd_repair(*dirs); });
}

}  // namespace cyanrig::cli
