// Writing a run's report.html with what the composition root knows: the rack's segments and the
// history's trend up to this run. Shared by `cyanrig report` and the step after `cyanrig run`.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "rig/core/diagnostic.hpp"
#include "rig/history/run_history.hpp"
#include "rig/rack/rack.hpp"
#include "rig/results/results_reader.hpp"

namespace cyanrig::cli {

// device -> network segment of a rack.
std::map<std::string, std::string> device_segments(const Rack& rack);
// The same from the rack file a results folder names, when it can still be read and is the same rack;
// empty otherwise (the report then places devices by the outage events).
std::map<std::string, std::string> device_segments(const RecordedRun& run);

// report.html in the run's folder. With a history that holds the run, each measurement's trend over
// the last 20 runs of the scenario, ending with this one. Throws std::runtime_error or HistoryError.
std::filesystem::path write_run_report(const RecordedRun& run, RunHistory* history,
                                       const std::map<std::string, std::string>& segments,
                                       Diagnostics& diags);

}  // namespace cyanrig::cli
