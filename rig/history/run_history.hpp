// Every run remembered: what its results folder says (run, devices, cases, measurements, failures,
// criteria) plus what only the rig knows at the time (the firmware tag, Device OS versions seen in
// the logs, which devices were flaky or quarantined), in a SQL database (schema.hpp).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rig/history/sql_database.hpp"
#include "rig/results/results_reader.hpp"

namespace cyanrig {

// What is recorded with a run beyond its results folder.
struct RunLabels {
  std::string firmware_tag;                      // --firmware TAG; empty when not given
  std::map<std::string, std::string> device_os;  // device -> Device OS version seen in its log
  std::set<std::string> flaky;                   // devices with mixed results in recent history
  std::set<std::string> quarantined;             // devices whose failures did not count
};

// A recorded run, as `cyanrig history` lists it.
struct HistoryRun {
  std::int64_t id = 0;
  std::string started_utc;
  std::string scenario;
  std::string rack;
  std::string status;
  std::string verdict;
  std::string failure_class;
  int exit_code = 0;
  std::string firmware_tag;
  std::string seed;
  std::string results_dir;
  int devices = 0;
  int failed_devices = 0;
};

struct RunFilter {
  std::string scenario;               // empty: every scenario
  std::string rack;                   // empty: every rack
  std::optional<std::int64_t> up_to;  // only runs recorded at or before this one (in history order)
  int limit = 20;                     // the most recent this many, listed oldest first
};

// One measurement sample of a recorded run, with the device's platform.
struct HistorySample {
  std::int64_t run_id = 0;
  std::string device;
  std::string platform;
  int repeat = 0;
  std::optional<double> value;  // empty when missing
};

// A device's outcome in one repeat of a recorded run.
struct HistoryCase {
  std::int64_t run_id = 0;
  std::string device;
  int repeat = 0;
  std::string verdict;
  std::string failure_class;
};

class RunHistory {
 public:
  // Brings the database's schema up to date (migrate_history). Throws HistoryError.
  explicit RunHistory(std::unique_ptr<SqlDatabase> db);

  SqlDatabase& database() { return *db_; }

  struct Recording {
    std::int64_t run_id = 0;
    bool already_recorded = false;  // the same results folder was recorded before: nothing changed
  };
  // Records a finished run in one transaction. A run is known by its rack and results folder name,
  // so recording the same folder twice (a re-run `history record`) adds nothing.
  Recording record(const RecordedRun& run, const RunLabels& labels);

  // The run recorded for this results folder, if any.
  std::optional<std::int64_t> find(const RecordedRun& run);
  std::optional<HistoryRun> run(std::int64_t id);
  // Runs matching `filter`, oldest first. History order is start time, then recording order.
  std::vector<HistoryRun> runs(const RunFilter& filter);

  // The most recent passing run of `scenario` before run `before` (any rack); the most recent run of
  // `scenario` tagged `name` (history tag, or --firmware tag) before `before`.
  std::optional<std::int64_t> last_pass(const std::string& scenario, std::int64_t before);
  std::optional<std::int64_t> tagged(const std::string& scenario, const std::string& name,
                                     std::int64_t before);
  void tag(std::int64_t run_id, const std::string& name);

  std::vector<HistorySample> samples(const std::vector<std::int64_t>& run_ids,
                                     const std::string& measurement);
  std::vector<HistoryCase> cases(const std::vector<std::int64_t>& run_ids, const std::string& device);
  // Measurement names recorded for a run, in name order.
  std::vector<std::string> measurement_names(std::int64_t run_id);
  // Each of a run's measurements' unit.
  std::map<std::string, std::string> measurement_units(std::int64_t run_id);

 private:
  std::unique_ptr<SqlDatabase> db_;
};

// "rack/20261121T081502Z-scenario": how the history knows a run again.
std::string run_key(const RecordedRun& run);

}  // namespace cyanrig
