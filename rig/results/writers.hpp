// Results on disk: results/<UTC time>-<scenario>/ with summary.json, junit.xml, events.jsonl and
// serial/<device>.log. The formats are documented in docs/results.md.
#pragma once

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "rig/results/run_result.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

// Percentile with linear interpolation between closest ranks (numpy's default); p in [0, 100],
// anything else throws std::invalid_argument. `values` need not be sorted; empty input has no
// percentile.
std::optional<double> percentile(std::vector<double> values, double p);

// One named statistic over a set of samples, as criteria and summary.json name them: "min", "max",
// "mean" or "p<N>" with N in [0, 100] ("p50", "p95", "p99.9"). Unknown names throw
// std::invalid_argument; empty input has no value. The engine and the writers both use this so a
// criterion's `actual` and the summary's statistics cannot disagree.
std::optional<double> statistic(std::vector<double> values, std::string_view name);

// As statistic(), with `missing` more samples that never reached the measurement's end and count as
// above any value (censored). Empty when the statistic falls on one of them (max with any missing,
// p75 with 2 of 5 missing) or when there are no samples at all.
std::optional<double> censored_statistic(std::vector<double> values, std::size_t missing,
                                         std::string_view name);

// summary.json. Keys keep the documented order; numbers are rounded (times in ms to 3 decimals,
// measurement values to 6) so the same run always gives the same bytes.
nlohmann::ordered_json summary_json(const RunResult& result);
// summary_json pretty-printed (dump(2)) with a final newline, written as it goes rather than built
// whole first; `after_status` (an object) adds its fields after "status". Invalid UTF-8 (serial
// noise) becomes U+FFFD.
void write_summary_json(const RunResult& result, std::ostream& out,
                        const nlohmann::ordered_json& after_status = nlohmann::ordered_json::object());

// One <testsuite> for the scenario; <failure> for device failures, <error> for infrastructure and
// scenario failures (the device was not judged), so CI can tell them apart.
void write_junit_xml(const RunResult& result, std::ostream& out);

// One JSON object per line, in timeline order; deterministic bytes for the same timeline.
void write_event_jsonl(const Event& event, std::ostream& out);

// "20261121T081502Z-reboot_during_outage" under root; the folder is created, with "-2", "-3", ...
// appended when taken (also by a run started in the same second). The scenario name is made safe
// for a path (see path_safe_name).
std::filesystem::path make_results_dir(const std::filesystem::path& root,
                                       const std::string& started_utc_compact, const std::string& scenario);

// Wall-clock stamps for a run: "2026-11-21T08:15:02Z" (summary.json started_utc) and
// "20261121T081502Z" (results folder name).
std::string utc_iso(std::chrono::system_clock::time_point t);
std::string utc_compact(std::chrono::system_clock::time_point t);

}  // namespace cyanrig
