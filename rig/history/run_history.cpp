#include "rig/history/run_history.hpp"

#include <fmt/format.h>

#include "rig/history/schema.hpp"

namespace cyanrig {

namespace {

std::string col(const SqlRow& row, std::size_t i) {
  return i < row.size() && row[i] ? *row[i] : std::string();
}

std::optional<double> number_col(const SqlRow& row, std::size_t i) {
  if (i >= row.size() || !row[i]) return std::nullopt;
  return std::stod(*row[i]);
}

std::int64_t id_col(const SqlRow& row, std::size_t i) {
  return std::stoll(col(row, i));
}

SqlParam flag(bool b) {
  return std::int64_t{b ? 1 : 0};
}

SqlParam ms(RunTime t) {
  return t.count();
}

// "(runs before run $N in history order)" as a condition on run r, for a query whose parameter N is
// that run's id.
std::string before_run(int n) {
  return fmt::format(
      "(r.started_utc < (SELECT started_utc FROM run WHERE id = ${0}) OR (r.started_utc = (SELECT "
      "started_utc FROM run WHERE id = ${0}) AND r.id < ${0}))",
      n);
}

constexpr const char* kRunColumns =
    "r.id, r.started_utc, r.scenario, r.rack, r.status, r.verdict, r.failure_class, r.exit_code, "
    "r.firmware_tag, r.seed, r.results_dir, (SELECT COUNT(*) FROM run_device d WHERE d.run_id = r.id), "
    "(SELECT COUNT(*) FROM run_device d WHERE d.run_id = r.id AND d.verdict = 'fail')";

HistoryRun run_from(const SqlRow& row) {
  return {.id = id_col(row, 0),
          .started_utc = col(row, 1),
          .scenario = col(row, 2),
          .rack = col(row, 3),
          .status = col(row, 4),
          .verdict = col(row, 5),
          .failure_class = col(row, 6),
          .exit_code = static_cast<int>(id_col(row, 7)),
          .firmware_tag = col(row, 8),
          .seed = col(row, 9),
          .results_dir = col(row, 10),
          .devices = static_cast<int>(id_col(row, 11)),
          .failed_devices = static_cast<int>(id_col(row, 12))};
}

// "$1, $2, ..." for an IN list starting at parameter `first`.
std::string placeholders(std::size_t count, std::size_t first = 1) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) out += fmt::format("{}${}", i == 0 ? "" : ", ", first + i);
  return out;
}

SqlParams ids(const std::vector<std::int64_t>& run_ids) {
  SqlParams params;
  for (const std::int64_t id : run_ids) params.emplace_back(id);
  return params;
}

}  // namespace

std::string run_key(const RecordedRun& run) {
  return run.rack + "/" + run.dir.filename().string();
}

RunHistory::RunHistory(std::unique_ptr<SqlDatabase> db) : db_(std::move(db)) {
  migrate_history(*db_);
}

std::optional<std::int64_t> RunHistory::find(const RecordedRun& run) {
  const auto rows = db_->query("SELECT id FROM run WHERE run_key = $1", {run_key(run)});
  if (rows.empty()) return std::nullopt;
  return id_col(rows[0], 0);
}

RunHistory::Recording RunHistory::record(const RecordedRun& run, const RunLabels& labels) {
  Recording recording;
  db_->transaction(
      [&] {
        if (const auto known = find(run)) {
          recording = {*known, true};
          return;
        }
        const auto rows = db_->query(
            "INSERT INTO run (run_key, results_dir, status, scenario, rack, rack_file, scenario_file, seed, "
            "simulated, firmware_tag, started_utc, wall_seconds, rig_seconds, repeats, verdict, "
            "failure_class, "
            "exit_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) "
            "RETURNING id",
            {run_key(run), run.dir.string(), run.status, run.scenario, run.rack,
             sql_text_or_null(run.rack_file), sql_text_or_null(run.scenario_file), sql_text_or_null(run.seed),
             flag(run.simulated), sql_text_or_null(labels.firmware_tag), run.started_utc, run.wall_seconds,
             run.rig_seconds, std::int64_t{run.repeats}, run.verdict, sql_text_or_null(run.failure_class),
             std::int64_t{run.exit_code}});
        const std::int64_t id = id_col(rows.at(0), 0);
        recording = {id, false};
        std::map<std::string, std::string> platform_of;
        for (const RecordedDevice& d : run.devices) {
          platform_of[d.name] = d.platform;
          const auto os = labels.device_os.find(d.name);
          db_->query(
              "INSERT INTO run_device (run_id, device, device_id, platform, firmware, device_os, verdict, "
              "failure_class, flaky, quarantined) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
              {id, d.name, sql_text_or_null(d.id), sql_text_or_null(d.platform), sql_text_or_null(d.firmware),
               os == labels.device_os.end() ? SqlParam(nullptr) : SqlParam(os->second), d.verdict,
               sql_text_or_null(d.failure_class), flag(labels.flaky.contains(d.name)),
               flag(labels.quarantined.contains(d.name))});
        }
        for (const RecordedCase& c : run.cases) {
          db_->query(
              "INSERT INTO run_case (run_id, device, repeat, verdict, failure_class, started_ms, ended_ms) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7)",
              {id, c.device, std::int64_t{c.repeat}, c.verdict, sql_text_or_null(c.failure_class),
               ms(c.started), ms(c.ended)});
        }
        for (const RecordedMeasurement& m : run.measurements) {
          for (const RecordedSample& s : m.samples) {
            db_->query(
                "INSERT INTO measurement (run_id, name, unit, device, platform, repeat, value, missing) "
                "VALUES "
                "($1, $2, $3, $4, $5, $6, $7, $8)",
                {id, m.name, sql_text_or_null(m.unit), s.device, sql_text_or_null(platform_of[s.device]),
                 std::int64_t{s.repeat}, sql_number_or_null(s.value), sql_text_or_null(s.missing)});
          }
        }
        for (const RecordedFailure& f : run.all_failures()) {
          db_->query(
              "INSERT INTO failure (run_id, device, repeat, class, kind, message, step, location, t_ms) "
              "VALUES "
              "($1, $2, $3, $4, $5, $6, $7, $8, $9)",
              {id, sql_text_or_null(f.device),
               f.repeat > 0 ? SqlParam(std::int64_t{f.repeat}) : SqlParam(nullptr), f.cls, f.kind, f.message,
               sql_text_or_null(f.step), sql_text_or_null(f.where), f.t ? ms(*f.t) : SqlParam(nullptr)});
        }
        for (const RecordedCriterion& c : run.criteria) {
          db_->query(
              "INSERT INTO criterion (run_id, measurement, statistic, scope, limit_value, actual, unit, "
              "verdict) "
              "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
              {id, c.measurement, c.statistic, c.scope, sql_number_or_null(c.limit),
               sql_number_or_null(c.actual), sql_text_or_null(c.unit), c.verdict});
        }
      },
      true);
  return recording;
}

std::optional<HistoryRun> RunHistory::run(std::int64_t id) {
  const auto rows = db_->query(fmt::format("SELECT {} FROM run r WHERE r.id = $1", kRunColumns), {id});
  if (rows.empty()) return std::nullopt;
  return run_from(rows[0]);
}

std::vector<HistoryRun> RunHistory::runs(const RunFilter& filter) {
  std::string sql = fmt::format(
      "SELECT {} FROM run r WHERE ($1 = '' OR r.scenario = $1) AND ($2 = '' OR r.rack = $2)", kRunColumns);
  SqlParams params{filter.scenario, filter.rack, std::int64_t{filter.limit}};
  if (filter.up_to) {
    sql += fmt::format(" AND (r.id = $4 OR {})", before_run(4));
    params.emplace_back(*filter.up_to);
  }
  sql += " ORDER BY r.started_utc DESC, r.id DESC LIMIT $3";
  std::vector<HistoryRun> out;
  for (const SqlRow& row : db_->query(sql, params)) out.push_back(run_from(row));
  return {out.rbegin(), out.rend()};
}

std::optional<std::int64_t> RunHistory::last_pass(const std::string& scenario, std::int64_t before) {
  const auto rows = db_->query(
      fmt::format("SELECT r.id FROM run r WHERE r.scenario = $2 AND r.verdict = 'pass' AND {} ORDER BY "
                  "r.started_utc DESC, r.id DESC LIMIT 1",
                  before_run(1)),
      {before, scenario});
  if (rows.empty()) return std::nullopt;
  return id_col(rows[0], 0);
}

std::optional<std::int64_t> RunHistory::tagged(const std::string& scenario, const std::string& name,
                                               std::int64_t before) {
  const auto rows = db_->query(
      fmt::format(
          "SELECT r.id FROM run r WHERE r.scenario = $2 AND (r.firmware_tag = $3 OR EXISTS (SELECT 1 "
          "FROM run_tag t WHERE t.run_id = r.id AND t.name = $3)) AND {} ORDER BY r.started_utc DESC, "
          "r.id DESC LIMIT 1",
          before_run(1)),
      {before, scenario, name});
  if (rows.empty()) return std::nullopt;
  return id_col(rows[0], 0);
}

void RunHistory::tag(std::int64_t run_id, const std::string& name) {
  if (!run(run_id)) throw HistoryError(fmt::format("history {}: no run {}", db_->where(), run_id));
  db_->transaction(
      [&] {
        db_->query("DELETE FROM run_tag WHERE run_id = $1 AND name = $2", {run_id, name});
        db_->query("INSERT INTO run_tag (run_id, name) VALUES ($1, $2)", {run_id, name});
      },
      true);
}

std::vector<HistorySample> RunHistory::samples(const std::vector<std::int64_t>& run_ids,
                                               const std::string& measurement) {
  if (run_ids.empty()) return {};
  SqlParams params = ids(run_ids);
  params.emplace_back(measurement);
  const auto rows = db_->query(
      fmt::format("SELECT run_id, device, platform, repeat, value FROM measurement WHERE run_id IN ({}) AND "
                  "name = ${} ORDER BY run_id, device, repeat",
                  placeholders(run_ids.size()), run_ids.size() + 1),
      params);
  std::vector<HistorySample> out;
  for (const SqlRow& row : rows) {
    out.push_back({.run_id = id_col(row, 0),
                   .device = col(row, 1),
                   .platform = col(row, 2),
                   .repeat = static_cast<int>(id_col(row, 3)),
                   .value = number_col(row, 4)});
  }
  return out;
}

std::vector<HistoryCase> RunHistory::cases(const std::vector<std::int64_t>& run_ids,
                                           const std::string& device) {
  if (run_ids.empty()) return {};
  SqlParams params = ids(run_ids);
  params.emplace_back(device);
  const auto rows = db_->query(
      fmt::format(
          "SELECT run_id, device, repeat, verdict, failure_class FROM run_case WHERE run_id IN ({}) AND "
          "device = ${} ORDER BY run_id, repeat",
          placeholders(run_ids.size()), run_ids.size() + 1),
      params);
  std::vector<HistoryCase> out;
  for (const SqlRow& row : rows) {
    out.push_back({.run_id = id_col(row, 0),
                   .device = col(row, 1),
                   .repeat = static_cast<int>(id_col(row, 2)),
                   .verdict = col(row, 3),
                   .failure_class = col(row, 4)});
  }
  return out;
}

std::vector<std::string> RunHistory::measurement_names(std::int64_t run_id) {
  std::vector<std::string> out;
  for (const SqlRow& row :
       db_->query("SELECT DISTINCT name FROM measurement WHERE run_id = $1 ORDER BY name", {run_id}))
    out.push_back(col(row, 0));
  return out;
}

std::map<std::string, std::string> RunHistory::measurement_units(std::int64_t run_id) {
  std::map<std::string, std::string> out;
  for (const SqlRow& row :
       db_->query("SELECT DISTINCT name, unit FROM measurement WHERE run_id = $1", {run_id}))
    out[col(row, 0)] = col(row, 1);
  return out;
}

}  // namespace cyanrig
