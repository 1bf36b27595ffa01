// What happens to a results folder once `cyanrig run` has written it: flaky and quarantined devices
// from the history (summary.json, junit.xml, exit code), the run recorded in the history,
// report.html written, and the regression gate when asked for. One function, so the run command
// calls it in one line whatever the engine becomes.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <map>
#include <string>

#include "cli/gate_table.hpp"
#include "cli/history_choice.hpp"

namespace cyanrig::cli {

struct AfterRunArgs {
  HistoryOptions history;
  std::string firmware;  // --firmware TAG
  GateArgs gate;         // --gate BASELINE (empty: no gate)
  int flaky_window = 10;
};

void add_after_run_options(CLI::App* run, AfterRunArgs& args);

// `exit_code` is the run's; returns the one the process exits with. `results_dir` empty (--no-results)
// leaves nothing to do. Prints where the report went and what the history and the gate found.
int after_run(const AfterRunArgs& args, const std::filesystem::path& results_dir,
              const std::map<std::string, std::string>& segments, int exit_code);

}  // namespace cyanrig::cli
