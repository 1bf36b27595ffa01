// The run history against both databases it supports: an SQLite file and a real PostgreSQL server the
// test starts itself. Same schema, same migrations, same answers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "drivers/history/postgresql/postgresql_database.hpp"
#include "drivers/history/sqlite/sqlite_database.hpp"
#include "rig/history/flaky.hpp"
#include "rig/history/history_location.hpp"
#include "rig/history/quarantine.hpp"
#include "rig/history/run_annotation.hpp"
#include "rig/history/schema.hpp"
#include "rig/history/trend.hpp"
#include "tests/history/postgres_server.hpp"
#include "tests/history/run_folders.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

// Results folders shared by every test of this binary: made once, read many times.
struct Folders {
  test::TempDir dir{"cyanrig-history"};
  fs::path orphan;  // orphan_check, p2-1 orphaned: fails both repeats
  fs::path clean;   // orphan_check on the built-in rack: passes
  fs::path clean2;  // the same with another seed
  Folders() {
    const fs::path rack = test::rack_with_faults(dir.path(), "p2-1", "{orphan_after_outage: 1}");
    orphan = test::run_folder(dir.path() / "results", "orphan_check --rack " + rack.string());
    clean = test::run_folder(dir.path() / "results-clean", "orphan_check --seed 1");
    clean2 = test::run_folder(dir.path() / "results-clean", "orphan_check --seed 2");
  }
};

Folders& folders() {
  static Folders f;
  return f;
}

RecordedRun read(const fs::path& dir) {
  Diagnostics diags;
  auto run = read_results_folder(dir, diags);
  EXPECT_TRUE(diags.empty()) << diags.items().front().to_string();
  return *run;
}

test::PostgresServer& postgres() {
  static test::PostgresServer server;
  return server;
}

enum class Backend { sqlite, postgresql };

class History : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    if (GetParam() == Backend::postgresql && !postgres().running())
      GTEST_SKIP() << "PostgreSQL tests skipped: " << postgres().skip_reason();
    static int databases = 0;  // one fresh database per test, in the one server
    if (GetParam() == Backend::postgresql)
      url_ = postgres().create_database("t" + std::to_string(++databases));
  }

  std::unique_ptr<SqlDatabase> database() {
    if (GetParam() == Backend::sqlite) return open_sqlite_history(dir_.path() / "history.sqlite");
    return open_postgresql_history(url_);
  }
  std::unique_ptr<RunHistory> history() { return std::make_unique<RunHistory>(database()); }

  test::TempDir dir_{"cyanrig-history-db"};
  std::string url_;
};

TEST_P(History, MigratesANewDatabaseOnceAndReopensIt) {
  auto db = database();
  EXPECT_EQ(migrate_history(*db), history_migrations().back().version);
  EXPECT_EQ(migrate_history(*db), history_migrations().back().version);  // nothing left to do
  const auto rows = db->query("SELECT version FROM schema_migration ORDER BY version");
  ASSERT_EQ(rows.size(), history_migrations().size());
  EXPECT_EQ(rows[0][0], "1");
  EXPECT_EQ(rows[1][0], "2");
}

TEST_P(History, RefusesADatabaseNewerThanItKnows) {
  {
    auto db = database();
    migrate_history(*db);
    db->query("INSERT INTO schema_migration (version, name, applied_utc) VALUES (99, 'future', 'x')");
  }
  try {
    history();
    FAIL() << "a newer schema was accepted";
  } catch (const HistoryError& e) {
    EXPECT_THAT(e.what(), HasSubstr("newer than this cyanrig knows"));
  }
}

TEST_P(History, RecordsWhatTheFolderSaysOnce) {
  auto h = history();
  const RecordedRun run = read(folders().orphan);
  const auto first = h->record(run, {.firmware_tag = "v2.4.1", .device_os = {{"p2-1", "6.2.0"}}});
  EXPECT_FALSE(first.already_recorded);
  const auto again = h->record(run, {});
  EXPECT_TRUE(again.already_recorded);
  EXPECT_EQ(again.run_id, first.run_id);

  const auto runs = h->runs({});
  ASSERT_EQ(runs.size(), 1U);
  EXPECT_EQ(runs[0].scenario, "orphan_check");
  EXPECT_EQ(runs[0].rack, "sim-lab-faults");
  EXPECT_EQ(runs[0].verdict, "fail");
  EXPECT_EQ(runs[0].exit_code, 1);
  EXPECT_EQ(runs[0].firmware_tag, "v2.4.1");
  EXPECT_EQ(runs[0].devices, 8);
  EXPECT_EQ(runs[0].failed_devices, 1);

  auto& db = h->database();
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM run_case")[0][0], "16");  // 8 devices x 2 repeats
  EXPECT_EQ(db.query("SELECT COUNT(*) FROM failure WHERE device = 'p2-1' AND kind = 'orphaned'")[0][0], "2");
  EXPECT_EQ(db.query("SELECT device_os FROM run_device WHERE device = 'p2-1'")[0][0], "6.2.0");
  const auto samples = h->samples({first.run_id}, "reconnect_time");
  ASSERT_EQ(samples.size(), 16U);
  EXPECT_EQ(samples[0].platform, run.device(samples[0].device)->platform);
}

TEST_P(History, TrendPerDeviceIsWhatTheSummarySaid) {
  auto h = history();
  h->record(read(folders().clean), {});
  const RecordedRun second = read(folders().clean2);
  h->record(second, {});
  const auto points = measurement_trend(
      *h, {.scenario = "orphan_check", .measurement = "reconnect_time", .by = TrendBy::device});
  ASSERT_EQ(points.size(), 16U);  // 2 runs x 8 devices
  const RecordedMeasurement& m = second.measurements.at(0);
  for (const auto& [device, stats] : m.devices) {
    // clang 14 cannot capture a structured binding; name it.
    const std::string& name = device;
    const auto point = std::find_if(points.begin(), points.end(), [&](const TrendPoint& p) {
      return p.group == name && p.run_id == points.back().run_id;
    });
    ASSERT_NE(point, points.end()) << device;
    ASSERT_TRUE(point->p75 && stats.p75);
    EXPECT_NEAR(*point->p75, *stats.p75, 1e-6) << device;
  }
  const auto by_platform =
      measurement_trend(*h, {.scenario = "orphan_check", .measurement = "reconnect_time"});
  EXPECT_EQ(by_platform.size(), 8U);  // 2 runs x 4 platforms
}

TEST_P(History, BaselinesAreTheLastPassOrATaggedRunBeforeTheCandidate) {
  auto h = history();
  // Recorded in the order the folders were made, so start time and recording order agree.
  const auto orphan = h->record(read(folders().orphan), {}).run_id;
  const auto clean = h->record(read(folders().clean), {.firmware_tag = "v1"}).run_id;
  const auto clean2 = h->record(read(folders().clean2), {}).run_id;
  EXPECT_EQ(h->last_pass("orphan_check", clean2), clean);
  EXPECT_EQ(h->last_pass("orphan_check", clean), std::nullopt);  // only the failing run is before it
  EXPECT_EQ(h->tagged("orphan_check", "v1", clean2), clean);
  h->tag(orphan, "nightly-bad");
  EXPECT_EQ(h->tagged("orphan_check", "nightly-bad", clean2), orphan);
  EXPECT_EQ(h->tagged("orphan_check", "nightly-bad", orphan), std::nullopt);
  EXPECT_THROW(h->tag(9999, "x"), HistoryError);
}

TEST_P(History, ADeviceWithMixedRecentResultsIsFlaky) {
  auto h = history();
  h->record(read(folders().clean), {});                           // p2-1 passes here
  const auto flaky = find_flaky(*h, read(folders().orphan), 10);  // ... and fails both repeats here
  ASSERT_EQ(flaky.size(), 1U);
  EXPECT_EQ(flaky[0].device, "p2-1");
  EXPECT_EQ(flaky[0].passed, 2);
  EXPECT_EQ(flaky[0].failed, 2);
  EXPECT_EQ(flaky[0].runs, 2);
  // Looking at this run alone, p2-1 failed every repeat: solid, not flaky.
  EXPECT_TRUE(find_flaky(*h, read(folders().orphan), 1).empty());
}

TEST_P(History, QuarantineIsSharedAndKeepsFailuresOutOfTheExitCode) {
  auto h = history();
  QuarantineList list(h->database());
  list.add("p2-1", "orphan_check", "orphans after outages, RMA #12", "2026-12-07T00:00:00Z");
  list.add("argon-9", "*", "bench", "2026-12-07T00:00:00Z");
  EXPECT_THAT(list.devices_for("orphan_check"), ElementsAre("argon-9", "p2-1"));
  EXPECT_THAT(list.devices_for("sleep_recovery"), ElementsAre("argon-9"));
  const RecordedRun run = read(folders().orphan);
  EXPECT_EQ(exit_code_without(run, list.devices_for("orphan_check")), 0);
  EXPECT_EQ(exit_code_without(run, {"p2-2"}), 1);  // quarantining another device changes nothing
  EXPECT_TRUE(list.remove("p2-1", "orphan_check"));
  EXPECT_FALSE(list.remove("p2-1", "orphan_check"));
  EXPECT_THAT(list.devices_for("orphan_check"), ElementsAre("argon-9"));
}

INSTANTIATE_TEST_SUITE_P(Databases, History, ::testing::Values(Backend::sqlite, Backend::postgresql),
                         [](const auto& p) { return p.param == Backend::sqlite ? "SQLite" : "PostgreSQL"; });

TEST(HistoryLocation, PasswordsNeverAppearInMessages) {
  EXPECT_EQ(without_password("postgresql://rig:s3cret@db.lab:5432/cyanrig"),
            "postgresql://rig@db.lab:5432/cyanrig");
  EXPECT_EQ(without_password("postgresql://db.lab/cyanrig?password=s3cret&sslmode=require"),
            "postgresql://db.lab/cyanrig?sslmode=require");
  EXPECT_EQ(without_password("postgres://rig@db.lab/cyanrig"), "postgres://rig@db.lab/cyanrig");
  EXPECT_EQ(without_password("/var/lib/cyanrig/history.sqlite"), "/var/lib/cyanrig/history.sqlite");
}

TEST(HistoryLocation, OptionsWinOverTheEnvironmentWhichWinsOverTheDefault) {
  ::setenv("CYANRIG_HISTORY", "postgresql://db.lab/cyanrig", 1);
  EXPECT_EQ(choose_history(false, "", "").kind, HistoryLocation::Kind::postgresql);
  EXPECT_EQ(choose_history(false, "", "/tmp/h.sqlite").kind, HistoryLocation::Kind::sqlite);
  EXPECT_EQ(choose_history(true, "", "/tmp/h.sqlite").kind, HistoryLocation::Kind::none);
  ::unsetenv("CYANRIG_HISTORY");
  ::setenv("XDG_DATA_HOME", "/srv/data", 1);
  EXPECT_EQ(choose_history(false, "", "").where, "/srv/data/cyanrig/history.sqlite");
  ::unsetenv("XDG_DATA_HOME");
}

}  // namespace
}  // namespace cyanrig
