// A row of the verdict matrix (docs/results.md) read from a finished run: for each device the class
// of its verdict with the kind of its first failure, and the element junit.xml gives its cases. The
// simulated rack's matrix (verdict_matrix_test.cpp) and its rows through the real nftables backend
// (tests/outage/nftables_verdicts_test.cpp) print their tables with it.
#pragma once

#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "rig/engine/engine.hpp"

namespace cyanrig::test {

struct DeviceVerdict {
  std::string cls;    // "pass", "device", "infrastructure", "scenario" or "skipped"
  std::string kind;   // the kind of the device's first failure; "" when none
  std::string junit;  // the worst element junit.xml gives its cases: "error", "failure", "skipped", "ok"
};
using DeviceVerdicts = std::vector<std::pair<std::string, DeviceVerdict>>;

// What the run gave each of `devices`, in that order. The run must have written its results
// (RunOptions::results_root): junit.xml is read from report.results_dir.
DeviceVerdicts device_verdicts(const RunReport& report, const std::vector<std::string>& devices);

// The element junit.xml must give the cases of a device whose class is `cls`.
std::string junit_element_for(const std::string& cls);

// The table's line for one row: what is wrong, its cause ("device", "lab" or "-"), the exit code,
// each device's class (first failure) and each device's junit element.
std::string verdict_table_line(const std::string& what, const std::string& cause, int exit_code,
                               const DeviceVerdicts& verdicts);
// Writes the table, header and `lines`, to `file`.
void write_verdict_table(const std::filesystem::path& file, const std::vector<std::string>& lines);

}  // namespace cyanrig::test
