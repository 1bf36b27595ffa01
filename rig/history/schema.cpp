#include "rig/history/schema.hpp"

#include <fmt/format.h>

#include <string>

namespace cyanrig {

const std::vector<Migration>& history_migrations() {
  static const std::vector<Migration> kMigrations = {
      {1,
       "runs, devices, cases, measurements, failures, criteria",
       {
           R"(CREATE TABLE run (
  id {id},
  run_key TEXT NOT NULL UNIQUE,
  results_dir TEXT NOT NULL,
  status TEXT NOT NULL,
  scenario TEXT NOT NULL,
  rack TEXT NOT NULL,
  rack_file TEXT,
  scenario_file TEXT,
  seed TEXT,
  simulated INTEGER NOT NULL,
  firmware_tag TEXT,
  started_utc TEXT NOT NULL,
  wall_seconds DOUBLE PRECISION,
  rig_seconds DOUBLE PRECISION,
  repeats INTEGER,
  verdict TEXT NOT NULL,
  failure_class TEXT,
  exit_code INTEGER NOT NULL))",
           "CREATE INDEX run_by_scenario ON run (scenario, started_utc)",
           R"(CREATE TABLE run_device (
  run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  device TEXT NOT NULL,
  device_id TEXT,
  platform TEXT,
  firmware TEXT,
  device_os TEXT,
  verdict TEXT,
  failure_class TEXT,
  flaky INTEGER NOT NULL,
  quarantined INTEGER NOT NULL,
  PRIMARY KEY (run_id, device)))",
           R"(CREATE TABLE run_case (
  run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  device TEXT NOT NULL,
  repeat INTEGER NOT NULL,
  verdict TEXT NOT NULL,
  failure_class TEXT,
  started_ms DOUBLE PRECISION,
  ended_ms DOUBLE PRECISION,
  PRIMARY KEY (run_id, device, repeat)))",
           R"(CREATE TABLE measurement (
  run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  unit TEXT,
  device TEXT NOT NULL,
  platform TEXT,
  repeat INTEGER NOT NULL,
  value DOUBLE PRECISION,
  missing TEXT))",
           "CREATE INDEX measurement_by_run ON measurement (run_id, name)",
           R"(CREATE TABLE failure (
  run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  device TEXT,
  repeat INTEGER,
  class TEXT NOT NULL,
  kind TEXT,
  message TEXT,
  step TEXT,
  location TEXT,
  t_ms DOUBLE PRECISION))",
           R"(CREATE TABLE criterion (
  run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  measurement TEXT NOT NULL,
  statistic TEXT NOT NULL,
  scope TEXT NOT NULL,
  limit_value DOUBLE PRECISION,
  actual DOUBLE PRECISION,
  unit TEXT,
  verdict TEXT))",
       }},
      {2,
       "quarantine and run tags",
       {
           R"(CREATE TABLE quarantine (
  device TEXT NOT NULL,
  scenario TEXT NOT NULL,
  reason TEXT NOT NULL,
  since_utc TEXT NOT NULL,
  PRIMARY KEY (device, scenario)))",
           R"(CREATE TABLE run_tag (
  run_id BIGINT NOT NULL REFERENCES run (id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  PRIMARY KEY (run_id, name)))",
       }},
  };
  return kMigrations;
}

namespace {

std::string for_dialect(std::string_view statement, SqlDialect dialect) {
  std::string out(statement);
  const std::string_view id = dialect == SqlDialect::sqlite
                                  ? "INTEGER PRIMARY KEY AUTOINCREMENT"
                                  : "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY";
  for (auto at = out.find("{id}"); at != std::string::npos; at = out.find("{id}")) out.replace(at, 4, id);
  return out;
}

int current_version(SqlDatabase& db) {
  const auto rows = db.query("SELECT MAX(version) FROM schema_migration");
  return rows.empty() || !rows[0][0] ? 0 : std::stoi(*rows[0][0]);
}

}  // namespace

int migrate_history(SqlDatabase& db) {
  db.transaction(
      [&] {
        db.query(
            "CREATE TABLE IF NOT EXISTS schema_migration (version INTEGER PRIMARY KEY, name TEXT NOT NULL, "
            "applied_utc TEXT NOT NULL)");
      },
      true);
  const int newest = history_migrations().back().version;
  int version = current_version(db);
  if (version > newest) {
    throw HistoryError(fmt::format(
        "history {}: its schema is at version {}, newer than this cyanrig knows ({}); update cyanrig",
        db.where(), version, newest));
  }
  for (const Migration& m : history_migrations()) {
    if (m.version <= version) continue;
    db.transaction(
        [&] {
          if (current_version(db) >= m.version) return;  // another rig applied it while we waited
          for (const std::string_view statement : m.statements)
            db.query(for_dialect(statement, db.dialect()));
          db.query(
              "INSERT INTO schema_migration (version, name, applied_utc) VALUES ($1, $2, "
              "CAST(CURRENT_TIMESTAMP AS TEXT))",
              {std::int64_t{m.version}, std::string(m.name)});
        },
        true);
    version = m.version;
  }
  return version;
}

}  // namespace cyanrig
