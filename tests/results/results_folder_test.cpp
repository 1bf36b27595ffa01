// A results folder is written as the run goes, so a kill loses nothing already seen, and a folder
// left by a dead run is recognised and marked aborted.
#include "rig/results/results_folder.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "rig/clock.hpp"
#include "rig/event_names.hpp"
#include "rig/results/events_reader.hpp"
#include "rig/results/result_fold.hpp"
#include "rig/results/results_reader.hpp"
#include "rig/results/writers.hpp"
#include "run_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;

std::string slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

RunResult header() {
  RunResult h;
  h.scenario = "reboot_during_outage";
  h.rack = "bench-a";
  h.seed = 7;
  h.repeats = 2;
  h.started_utc = "2026-12-07T10:00:00Z";
  return h;
}

// The reader takes cases and samples one at a time as it parses (a long run has tens of thousands);
// what it gives must be all of them, in order, each whole.
TEST(ResultsFolder, ReadingASummaryGivesEveryCaseAndSampleInOrder) {
  test::TempDir root;
  RunResult run = test::mixed_run();
  run.samples.push_back({"boot_time", "argon-1", 1, 1.5, "min", ""});
  {
    std::ofstream out(root.path() / "summary.json");
    write_summary_json(run, out);
  }
  Diagnostics diags;
  const auto read = read_results_folder(root.path(), diags);
  ASSERT_TRUE(read) << diags.items().front().to_string();
  ASSERT_EQ(read->cases.size(), run.cases.size());
  for (std::size_t i = 0; i < run.cases.size(); ++i) {
    EXPECT_EQ(read->cases[i].device, run.cases[i].device) << i;
    EXPECT_EQ(read->cases[i].repeat, run.cases[i].repeat) << i;
    EXPECT_EQ(read->cases[i].failures.size(), run.cases[i].failures.size()) << i;
  }
  EXPECT_EQ(read->cases[2].verdict, "fail");
  EXPECT_EQ(read->cases[2].failures.front().message, run.cases[2].failures.front().message);
  ASSERT_EQ(read->measurements.size(), 2U);
  const RecordedMeasurement& cloud = read->measurements[0];
  EXPECT_EQ(cloud.name, "time_to_cloud");
  ASSERT_EQ(cloud.samples.size(), 4U);
  EXPECT_EQ(cloud.samples[1].device, "boron-1");
  EXPECT_EQ(cloud.samples[1].value, 30.25);
  EXPECT_EQ(cloud.samples[1].unit, "s");
  EXPECT_EQ(cloud.samples[2].missing, "cloud_connected never seen");
  EXPECT_EQ(cloud.devices.size(), 2U) << "per-device statistics are not samples";
  const RecordedMeasurement& boot = read->measurements[1];
  ASSERT_EQ(boot.samples.size(), 1U);
  EXPECT_EQ(boot.samples[0].measurement, "boot_time");
  EXPECT_EQ(boot.samples[0].unit, "min");
  EXPECT_EQ(read->devices.size(), 2U);
  EXPECT_EQ(read->criteria.size(), 2U);
}

TEST(ResultsFolder, SummarySaysRunningFromTheStartWithWhoRunsIt) {
  const test::TempDir root;
  ResultsFolder folder(root.path(), header());
  const auto summary = nlohmann::json::parse(slurp(folder.dir() / "summary.json"));
  EXPECT_EQ(summary["status"], "running");
  EXPECT_EQ(summary["pid"], ::getpid());
  EXPECT_FALSE(summary["host"].get<std::string>().empty());
  EXPECT_EQ(results_status(folder.dir()), "running");
  // Nothing to repair while its run is alive.
  EXPECT_EQ(repair_results_folder(folder.dir()), "");
}

TEST(ResultsFolder, EventsAreOnDiskAsSoonAsTheyAreWritten) {
  const test::TempDir root;
  ResultsFolder folder(root.path(), header());
  const auto clock = make_virtual_clock();
  Timeline timeline(*clock);
  timeline.subscribe([&](const Event& e) { folder.write_event(e); });
  timeline.record(EventKind::run, "", ev::run::kStart, {{"scenario", "reboot_during_outage"}});
  timeline.record(EventKind::serial, "argon-1", ev::serial::kLine, {{"line", "Cloud connected"}});
  // Read back by another reader while the folder is still open: no buffer holds them back.
  std::vector<Event> read;
  read_events_jsonl(folder.dir() / "events.jsonl", [&](const Event& e) { read.push_back(e); });
  ASSERT_EQ(read.size(), 2U);
  EXPECT_EQ(read[1].device, "argon-1");
  EXPECT_EQ(read[1].data["line"], "Cloud connected");
}

TEST(ResultsFolder, TheFinalSummaryReplacesTheRunningOneWhole) {
  const test::TempDir root;
  ResultsFolder folder(root.path(), header());
  RunResult done = header();
  done.finished = true;
  folder.write_summary(done);
  folder.write_junit(done);
  const auto summary = nlohmann::json::parse(slurp(folder.dir() / "summary.json"));
  EXPECT_EQ(summary["status"], "finished");
  EXPECT_FALSE(summary.contains("pid"));
  for (const auto& entry : fs::directory_iterator(folder.dir()))
    EXPECT_NE(entry.path().extension(), ".partial") << "a temporary file was left behind";
}

// A child process starts a run's folder, records some events and is killed; the folder it leaves is
// then repaired from its events: status aborted, its failures kept, junit.xml naming the abort.
TEST(ResultsFolder, AFolderLeftByAKilledRunIsMarkedAborted) {
  const test::TempDir root;
  int ready[2];
  ASSERT_EQ(::pipe(ready), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ResultsFolder folder(root.path(), header());
    const auto clock = make_virtual_clock();
    Timeline timeline(*clock);
    timeline.subscribe([&](const Event& e) { folder.write_event(e); });
    timeline.record(EventKind::run, "", ev::run::kStart);
    timeline.record(EventKind::run, "argon-1", ev::run::kDevice,
                    {{"id", "e00fce68a1b2c3d4e5f60718"}, {"platform", "argon"}});
    timeline.record(EventKind::run, "argon-1", ev::run::kCaseStart, {{"repeat", 1}});
    timeline.record(EventKind::failure, "argon-1", "timeout",
                    {{"class", "device"}, {"message", "expected LED breathing_cyan"}, {"repeat", 1}});
    (void)::write(ready[1], "x", 1);
    ::pause();
    ::_exit(0);
  }
  char byte = 0;
  ASSERT_EQ(::read(ready[0], &byte, 1), 1);
  ::kill(child, SIGKILL);
  ::waitpid(child, nullptr, 0);
  std::vector<fs::path> folders;
  for (const auto& e : fs::directory_iterator(root.path())) folders.push_back(e.path());
  ASSERT_EQ(folders.size(), 1U);
  EXPECT_EQ(results_status(folders[0]), "running");
  const std::vector<std::string> repaired = repair_results_under(root.path());
  ASSERT_EQ(repaired.size(), 1U);
  EXPECT_THAT(repaired[0], HasSubstr("marked aborted"));
  const auto summary = nlohmann::json::parse(slurp(folders[0] / "summary.json"));
  EXPECT_EQ(summary["status"], "aborted");
  EXPECT_EQ(summary["exit_code"], 3);
  EXPECT_EQ(summary["cases"][0]["failures"][0]["kind"], "timeout");
  EXPECT_EQ(summary["run_failures"][0]["kind"], "aborted");
  const std::string junit = slurp(folders[0] / "junit.xml");
  EXPECT_THAT(junit, HasSubstr("type=\"infrastructure/aborted\""));
  EXPECT_THAT(junit, HasSubstr("<property name=\"status\" value=\"aborted\"/>"));
  // Once repaired there is nothing left to do.
  EXPECT_TRUE(repair_results_under(root.path()).empty());
}

}  // namespace
}  // namespace cyanrig
