// Results on disk: results/<UTC time>-<scenario>/ with summary.json, junit.xml, events.jsonl and
// serial/<device>.log. The formats are documented in docs/results.md.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>

#include "rig/results/run_result.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

// Percentile with linear interpolation between closest ranks (numpy's default); p in [0, 100].
// `values` need not be sorted; empty input has no percentile.
std::optional<double> percentile(std::vector<double> values, double p);

nlohmann::json summary_json(const RunResult& result);
void write_junit_xml(const RunResult& result, std::ostream& out);
// One JSON object per line, in timeline order; deterministic bytes for the same timeline.
void write_event_jsonl(const Event& event, std::ostream& out);
void write_events_jsonl(const Timeline& timeline, std::ostream& out);

// "20261121T081502Z-reboot_during_outage"; the folder is created, with a numeric suffix if taken.
std::filesystem::path make_results_dir(const std::filesystem::path& root, const std::string& started_utc_compact,
                                       const std::string& scenario);

}  // namespace cyanrig
