// Reading a results folder back: summary.json, events.jsonl and serial/<device>.log as a struct the
// report, the history and the gate share. The one place that knows the files' formats from the
// reading side (docs/results.md): every key is optional, unknown keys are ignored, so older folders
// and newer formats (a run's `status`, skipped devices, censored samples) are read by the same code.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "rig/core/diagnostic.hpp"

namespace cyanrig {

// A time on the run's clock, counted from the run's start, as the files write it (ms, 3 decimals).
using RunTime = std::chrono::duration<double, std::milli>;

struct RecordedFailure {
  std::string cls;  // "device", "infrastructure", "scenario" (or a newer class)
  std::string kind;
  std::string message;
  std::string step;   // empty when not tied to a step
  std::string where;  // file:line:col of the step; empty when unknown
  std::optional<RunTime> t;
  std::string device;  // empty for run failures
  int repeat = 0;      // 0 for run failures
};

struct RecordedDevice {
  std::string name;
  std::string id;
  std::string platform;
  std::string firmware;
  std::string segment;  // empty when the folder does not say
  std::string verdict;  // "pass", "fail", "skipped", ...
  std::string failure_class;
  bool skipped = false;  // not run (maintenance)
};

struct RecordedCase {
  std::string device;
  int repeat = 0;
  std::string verdict;
  std::string failure_class;
  RunTime started{};
  RunTime ended{};
  std::vector<RecordedFailure> failures;
};

struct RecordedSample {
  std::string measurement;
  std::string unit;
  std::string device;
  int repeat = 0;
  std::optional<double> value;  // empty when missing (the repeat never reached the measurement's end)
  std::string missing;          // why, when missing
};

struct RecordedStats {
  int count = 0;
  int missing = 0;
  std::optional<double> min, max, mean, p50, p75, p95;
};

struct RecordedMeasurement {
  std::string name;
  std::string unit;
  RecordedStats rack;
  std::vector<std::pair<std::string, RecordedStats>> devices;  // in the file's order
  std::vector<RecordedSample> samples;
};

struct RecordedCriterion {
  std::string measurement;
  std::string statistic;
  std::string scope;  // device name or "rack"
  std::optional<double> limit;
  std::optional<double> actual;
  std::string unit;
  std::string verdict;
};

// What summary.json says about a run.
struct RecordedRun {
  std::filesystem::path dir;
  int format_version = 0;
  std::string status = "finished";  // "running" / "finished" / "aborted"; older folders are finished
  std::string rack;
  std::string scenario;
  std::string rack_file;
  std::string scenario_file;
  std::string seed;  // a uint64 written as text: it may exceed what a double or an int64 holds
  bool simulated = false;
  std::string started_utc;
  double wall_seconds = 0;
  double rig_seconds = 0;
  int repeats = 0;
  std::string verdict;
  std::string failure_class;
  int exit_code = 0;
  std::vector<RecordedDevice> devices;
  std::vector<RecordedCase> cases;
  std::vector<RecordedFailure> run_failures;
  std::vector<RecordedMeasurement> measurements;
  std::vector<RecordedCriterion> criteria;
  nlohmann::ordered_json history;  // what the history added (flaky, quarantine); null when nothing

  const RecordedDevice* device(std::string_view name) const;
  // Every failure: the cases' in case order, then the run's.
  std::vector<RecordedFailure> all_failures() const;
};

// One line of events.jsonl.
struct RecordedEvent {
  std::uint64_t seq = 0;
  RunTime t{};
  std::string kind;
  std::string device;  // empty for rack-wide events
  std::string name;
  nlohmann::json data;  // every other field of the line (an object)
};

// A line of serial/<device>.log as written. Not rig/serial/line_framer.hpp's SerialLine: two
// different types of one name in one program are an ODR violation, which corrupted memory when
// `cyanrig run` read a finished run's serial logs (found by ThreadSanitizer).
struct RecordedSerialLine {
  RunTime t{};
  std::string text;
};

// summary.json in `dir`; a missing or unreadable file, or JSON that does not parse, is reported as
// `file:line:col: what is wrong` in `diags` and gives nothing.
std::optional<RecordedRun> read_results_folder(const std::filesystem::path& dir, Diagnostics& diags);

// Every event of events.jsonl in file order. A line that does not parse is reported (file:line:col)
// and skipped, except an unfinished last line (the run is still writing, or was killed), which is
// left out silently. A missing file is reported once.
void for_each_recorded_event(const std::filesystem::path& dir,
                             const std::function<void(const RecordedEvent&)>& fn, Diagnostics& diags);

// serial/<device>.log (device name made path-safe as the writer does); empty when there is none.
std::vector<RecordedSerialLine> read_serial_log(const std::filesystem::path& dir, std::string_view device);

// Replaces `path` with `content` through "<path>.partial" and a rename, so a reader never sees half a
// file. Throws std::runtime_error naming the file and the reason.
void replace_file(const std::filesystem::path& path, std::string_view content);

// "file:line:col" of byte `offset` in `text` (1-based line and column).
SourceLoc position_in(const std::string& file, std::string_view text, std::size_t offset);

}  // namespace cyanrig
