// The results fold: every verdict comes from timeline events.
#include "rig/results/result_fold.hpp"

#include <gtest/gtest.h>

#include "rig/clock.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {
namespace {

struct Folded {
  std::unique_ptr<Clock> clock = make_virtual_clock();
  Timeline timeline{*clock};
  ResultFold fold{RunResult{}};
  Folded() {
    timeline.subscribe([this](const Event& e) { fold.add(e); });
  }
};

TEST(ResultFold, CasesFailuresSamplesAndCriteriaComeFromEvents) {
  Folded f;
  f.timeline.record(EventKind::run, "argon-1", ev::run::kDevice, {{"id", "x"}, {"platform", "argon"}});
  f.timeline.record(EventKind::run, "argon-1", ev::run::kCaseStart, {{"repeat", 1}});
  f.timeline.record(
      EventKind::failure, "argon-1", "orphaned",
      {{"class", "device"}, {"message", "timed out"}, {"repeat", 1}, {"step", "steps[9] expect"}});
  f.timeline.record(EventKind::run, "argon-1", ev::run::kCaseEnd, {{"repeat", 1}});
  f.timeline.record(EventKind::measurement, "argon-1", "reconnect_time",
                    {{"repeat", 1}, {"unit", "s"}, {"missing", "no LED breathing_cyan"}});
  f.timeline.record(EventKind::criterion, "argon-1", "reconnect_time",
                    {{"statistic", "max"},
                     {"limit", 180},
                     {"actual", nullptr},
                     {"unit", "s"},
                     {"count", 1},
                     {"missing", 1},
                     {"passed", false},
                     {"class", "device"}});
  f.timeline.record(EventKind::failure, "", "outage_not_lifted",
                    {{"class", "infrastructure"}, {"message", "x"}});
  const RunResult r = std::move(f.fold).finish(10, 0.1);
  ASSERT_EQ(r.cases.size(), 1U);
  ASSERT_EQ(r.cases[0].failures.size(), 1U);
  EXPECT_EQ(r.cases[0].failures[0].kind, "orphaned");
  EXPECT_EQ(r.cases[0].failures[0].step, "steps[9] expect");
  ASSERT_EQ(r.samples.size(), 1U);
  EXPECT_FALSE(r.samples[0].value);
  ASSERT_EQ(r.criteria.size(), 1U);
  EXPECT_EQ(r.criteria[0].missing, 1U);
  EXPECT_EQ(actual_text(r.criteria[0]), ">180 (1 of 1 missing)");
  ASSERT_EQ(r.run_failures.size(), 1U);
  ASSERT_EQ(r.devices.size(), 1U);
  EXPECT_FALSE(r.devices[0].passed);
  EXPECT_EQ(r.exit_code(), ExitCode::infrastructure);
}

// A failure found after a case ended (an outage that turned out never to have bitten) still lands on
// that case, and makes it the lab's.
TEST(ResultFold, ALateFailureLandsOnItsCase) {
  Folded f;
  f.timeline.record(EventKind::run, "boron-1", ev::run::kCaseStart, {{"repeat", 1}});
  f.timeline.record(EventKind::run, "boron-1", ev::run::kCaseEnd, {{"repeat", 1}});
  f.timeline.record(EventKind::run, "boron-1", ev::run::kCaseStart, {{"repeat", 2}});
  f.timeline.record(EventKind::failure, "boron-1", "outage_unproven",
                    {{"class", "infrastructure"}, {"message", "never reached"}, {"repeat", 1}});
  EXPECT_EQ(f.fold.case_class("boron-1", 1), FailureClass::infrastructure);
  EXPECT_FALSE(f.fold.case_class("boron-1", 2));
}

TEST(ResultFold, ASkippedCaseIsNeitherPassedNorFailed) {
  Folded f;
  f.timeline.record(EventKind::run, "argon-1", ev::run::kDevice, {{"id", "x"}, {"platform", "argon"}});
  f.timeline.record(EventKind::run, "argon-1", ev::run::kCaseSkipped,
                    {{"repeat", 1}, {"reason", "maintenance: relay"}});
  const RunResult r = std::move(f.fold).finish(1, 0.1);
  ASSERT_EQ(r.cases.size(), 1U);
  EXPECT_EQ(r.cases[0].skipped, "maintenance: relay");
  EXPECT_EQ(r.exit_code(), ExitCode::pass);
}

}  // namespace
}  // namespace cyanrig
