// Results folders made by the real cyanrig binary on simulated racks, for the history, gate and report
// tests: `run` writes them exactly as users get them.
#pragma once

#include <filesystem>
#include <string>

namespace cyanrig::test {

struct CommandResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `cyanrig ARGS` from the source tree with stdout and stderr captured in `scratch`.
CommandResult cyanrig(const std::string& args, const std::filesystem::path& scratch);

// A rack file: the built-in simulated rack with `faults` (a YAML flow mapping such as
// "{orphan_after_outage: 1}") on the device named `device`, or on every device when it is "*".
std::filesystem::path rack_with_faults(const std::filesystem::path& dir, const std::string& device,
                                       const std::string& faults);

// `cyanrig run ARGS --no-history --results ROOT` and the results folder it wrote.
std::filesystem::path run_folder(const std::filesystem::path& root, const std::string& args);

std::string slurp(const std::filesystem::path& path);

}  // namespace cyanrig::test
