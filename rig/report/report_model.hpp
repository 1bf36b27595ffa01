// What the report's swimlanes draw, taken from events.jsonl: per device the power, LED, cloud and
// Device OS timelines, calls, marks, steps; the run's repeats and outage windows. Compact: every
// label once in a string table, times in whole ms as deltas, so 16 devices x 100 repeats stay a few
// megabytes.
#pragma once

#include <map>
#include <string>

#include "rig/core/diagnostic.hpp"
#include "rig/results/results_reader.hpp"

namespace cyanrig {

// Appends to `out` the JSON the report's script reads (format in report_model.cpp), as text that can
// go inside a <script> element ("<" is written \u003c). `segments` maps a device to its network
// segment when the caller knows the rack; otherwise the folder and the outage events say. Built as
// text in place, not as a JSON value: the memory it takes is about the size of the text.
void append_swimlane_json(std::string& out, const RecordedRun& run,
                          const std::map<std::string, std::string>& segments, Diagnostics& diags);

}  // namespace cyanrig
