// report.html: one self-contained page per run (no network, no other files): the verdict and the
// failures at the top, each linking to its moment; per-device swimlanes along the run's time; the
// serial log around each failure; the measurement table; the trend of the last runs. The same run
// (and the same history up to it) always gives the same bytes.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "rig/core/diagnostic.hpp"
#include "rig/history/trend.hpp"
#include "rig/results/results_reader.hpp"

namespace cyanrig {

struct ReportInputs {
  std::map<std::string, std::string> segments;  // device -> network segment, when the rack is known
  // measurement -> its trend per platform over the last runs, this one last (empty without history)
  std::map<std::string, std::vector<TrendPoint>> trends;
};

std::string report_html(const RecordedRun& run, const ReportInputs& inputs, Diagnostics& diags);

// Writes <run.dir>/report.html (through a temporary file, so a reader never sees half a page);
// returns its path. Throws std::runtime_error naming the file when it cannot be written.
std::filesystem::path write_report(const RecordedRun& run, const ReportInputs& inputs, Diagnostics& diags);

}  // namespace cyanrig
