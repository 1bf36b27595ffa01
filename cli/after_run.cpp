#include "cli/after_run.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "cli/run_report.hpp"
#include "rig/history/device_os_version.hpp"
#include "rig/history/history_location.hpp"
#include "rig/history/quarantine.hpp"
#include "rig/history/run_annotation.hpp"

namespace cyanrig::cli {

namespace {

// Infrastructure (3) beats invalid (2) beats device (1), as for the run's own exit code.
int worse(int a, int b) {
  return std::max(a, b);
}

void print_problems(const Diagnostics& diags) {
  for (const Diagnostic& d : diags.items()) fmt::print(stderr, "{}\n", d.to_string());
}

RunLabels labels_for(const RecordedRun& run, const RunAnnotation& annotation) {
  RunLabels labels{.firmware_tag = annotation.firmware_tag, .quarantined = annotation.quarantined};
  for (const FlakyDevice& f : annotation.flaky) labels.flaky.insert(f.device);
  for (const RecordedDevice& d : run.devices) {
    const std::string version = device_os_version_in(read_serial_log(run.dir, d.name));
    if (!version.empty()) labels.device_os[d.name] = version;
  }
  return labels;
}

// Flaky and quarantined devices into the folder, the run into the history; the exit code after
// quarantine. Returns the recorded run's id.
std::int64_t record(RunHistory& history, const AfterRunArgs& args, RecordedRun& run, int& exit_code) {
  RunAnnotation annotation{.flaky = find_flaky(history, run, args.flaky_window),
                           .firmware_tag = args.firmware};
  for (const std::string& device : QuarantineList(history.database()).devices_for(run.scenario)) {
    if (run.device(device) != nullptr) annotation.quarantined.insert(device);
  }
  annotation.exit_code_without_quarantine = exit_code;
  annotation.exit_code =
      annotation.quarantined.empty() ? exit_code : exit_code_without(run, annotation.quarantined);
  annotate_results(run.dir, annotation);
  Diagnostics diags;
  if (auto reread = read_results_folder(run.dir, diags)) run = std::move(*reread);
  const auto recording = history.record(run, labels_for(run, annotation));
  fmt::print("history: run {} recorded in {}\n", recording.run_id,
             without_password(history.database().where()));
  for (const FlakyDevice& f : annotation.flaky) {
    fmt::print("flaky: {} passed {} and failed {} of its repeats in the last {} run{} of {}\n", f.device,
               f.passed, f.failed, f.runs, f.runs == 1 ? "" : "s", run.scenario);
  }
  for (const std::string& d : annotation.quarantined)
    fmt::print("quarantined: {}'s failures are reported but do not count in the exit code\n", d);
  exit_code = annotation.exit_code;
  return recording.run_id;
}

}  // namespace

void add_after_run_options(CLI::App* run, AfterRunArgs& args) {
  add_history_options(run, args.history, true);
  run->add_option("--firmware", args.firmware,
                  "Firmware build under test, recorded with the run (e.g. v2.4.1-rc3)");
  run->add_option(
      "--gate", args.gate.baseline,
      "After the run, gate its measurements against a baseline: last-pass, a run number or tag:NAME");
  add_gate_settings(run, args.gate);
  run->add_option("--flaky-window", args.flaky_window,
                  "Runs of the scenario looked at for flaky devices (default 10)")
      ->check(CLI::Range(1, 1000));
}

int after_run(const AfterRunArgs& args, const std::filesystem::path& results_dir,
              const std::map<std::string, std::string>& segments, int exit_code) {
  if (results_dir.empty()) {
    if (!args.gate.baseline.empty()) {
      fmt::print(stderr,
                 "cyanrig run: --gate needs the results (and the history); it cannot go with --no-results\n");
      return worse(exit_code, kExitInvalid);
    }
    return exit_code;
  }
  Diagnostics diags;
  auto run = read_results_folder(results_dir, diags);
  if (!run) {
    print_problems(diags);
    return worse(exit_code, kExitInfrastructure);
  }
  std::unique_ptr<RunHistory> history;
  std::optional<std::int64_t> run_id;
  try {
    history = open_history(args.history);
    if (history) run_id = record(*history, args, *run, exit_code);
  } catch (const std::exception& e) {  // HistoryError, or the results folder could not be rewritten
    fmt::print(stderr, "cyanrig run: the run was not recorded: {}\n", e.what());
    history.reset();
    exit_code = worse(exit_code, kExitInfrastructure);
  }
  try {
    fmt::print("report: {}\n", write_run_report(*run, history.get(), segments, diags).string());
  } catch (const std::exception& e) {
    fmt::print(stderr, "cyanrig run: no report: {}\n", e.what());
    exit_code = worse(exit_code, kExitInfrastructure);
  }
  print_problems(diags);
  if (!args.gate.baseline.empty()) {
    if (!history || !run_id) {
      fmt::print(stderr, "cyanrig run: --gate needs the run history (it cannot go with --no-history)\n");
      return worse(exit_code, kExitInvalid);
    }
    exit_code = worse(exit_code, run_gate(*history, *run_id, args.gate, stdout));
  }
  return exit_code;
}

}  // namespace cyanrig::cli
