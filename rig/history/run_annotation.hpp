// What the history adds to a finished run's results folder: which devices are flaky and which are
// quarantined, in summary.json (a "history" object) and junit.xml (<property> entries), and the exit
// code once quarantined devices' failures are left out.
#pragma once

#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "rig/history/flaky.hpp"
#include "rig/results/results_reader.hpp"

namespace cyanrig {

struct RunAnnotation {
  std::vector<FlakyDevice> flaky;
  std::set<std::string> quarantined;  // devices of this run that are quarantined
  int exit_code = 0;                  // the exit code with quarantined devices' failures left out
  int exit_code_without_quarantine = 0;
  std::string firmware_tag;
};

// The exit code CI acts on when `quarantined` devices' failures (their cases, their criteria, their
// verdicts) do not count: 0 pass, 1 device, 2 scenario, 3 infrastructure (or a class this binary
// does not know), the worst of what is left. The run's own exit code when nothing is quarantined.
int exit_code_without(const RecordedRun& run, const std::set<std::string>& quarantined);

// Adds "history": {flaky, quarantined, exit_code_without_quarantine, firmware_tag} to summary.json
// (and sets its exit_code to the one CI sees), and flaky / quarantined properties to junit.xml.
// Both files are rewritten through a temporary file. Throws std::runtime_error naming a file that
// cannot be read or written.
void annotate_results(const std::filesystem::path& dir, const RunAnnotation& annotation);

}  // namespace cyanrig
