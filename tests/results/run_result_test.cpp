#include "rig/results/run_result.hpp"

#include <gtest/gtest.h>

#include "run_fixture.hpp"

namespace cyanrig {
namespace {

using test::failure;

RunResult with_case_failures(std::vector<Failure> failures) {
  RunResult r;
  r.cases.push_back({"argon-1", 1, {}, {}, std::move(failures)});
  return r;
}

TEST(RunResult, ClassNamesAreTheOnesInResultFiles) {
  EXPECT_EQ(to_string(FailureClass::device), "device");
  EXPECT_EQ(to_string(FailureClass::infrastructure), "infrastructure");
  EXPECT_EQ(to_string(FailureClass::scenario), "scenario");
}

TEST(RunResult, NothingFailedPassesWithExitZero) {
  RunResult r;
  r.cases.push_back({"argon-1", 1, {}, {}, {}});
  r.criteria.push_back({"time_to_cloud", "rack", "p75", 60, 20, "s", true});
  EXPECT_TRUE(r.passed());
  EXPECT_FALSE(r.worst_class().has_value());
  EXPECT_EQ(r.exit_code(), ExitCode::pass);
}

TEST(RunResult, ExitCodePerClass) {
  EXPECT_EQ(with_case_failures({failure(FailureClass::device, "timeout")}).exit_code(),
            ExitCode::device_failure);
  EXPECT_EQ(with_case_failures({failure(FailureClass::scenario, "unknown_function")}).exit_code(),
            ExitCode::invalid);
  EXPECT_EQ(with_case_failures({failure(FailureClass::infrastructure, "power")}).exit_code(),
            ExitCode::infrastructure);
  EXPECT_EQ(static_cast<int>(ExitCode::device_failure), 1);
  EXPECT_EQ(static_cast<int>(ExitCode::invalid), 2);
  EXPECT_EQ(static_cast<int>(ExitCode::infrastructure), 3);
}

TEST(RunResult, InfrastructureBeatsScenarioBeatsDevice) {
  const Failure device = failure(FailureClass::device, "timeout");
  const Failure scenario = failure(FailureClass::scenario, "unknown_function");
  const Failure lab = failure(FailureClass::infrastructure, "serial");
  EXPECT_EQ(with_case_failures({device, scenario}).worst_class(), FailureClass::scenario);
  EXPECT_EQ(with_case_failures({scenario, device}).exit_code(), ExitCode::invalid);
  EXPECT_EQ(with_case_failures({device, lab}).exit_code(), ExitCode::infrastructure);
  EXPECT_EQ(with_case_failures({lab, scenario, device}).worst_class(), FailureClass::infrastructure);
}

TEST(RunResult, PrecedenceHoldsAcrossCasesAndRunFailures) {
  RunResult r = with_case_failures({failure(FailureClass::device, "timeout")});
  r.run_failures.push_back(failure(FailureClass::infrastructure, "outage", "outage never lifted"));
  EXPECT_EQ(r.exit_code(), ExitCode::infrastructure);
}

TEST(RunResult, FailedCriterionIsADeviceFailure) {
  RunResult r;
  r.cases.push_back({"argon-1", 1, {}, {}, {}});
  r.criteria.push_back({"time_to_cloud", "rack", "p75", 60, 75, "s", false});
  EXPECT_FALSE(r.passed());
  EXPECT_EQ(r.worst_class(), FailureClass::device);
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure);
}

TEST(RunResult, FailedDeviceSummaryWithoutClassBlamesTheDevice) {
  RunResult r;
  r.devices.push_back({"argon-1", "id", "argon", "fw.bin", false, std::nullopt});
  EXPECT_EQ(r.exit_code(), ExitCode::device_failure);
  r.devices.front().failure_class = FailureClass::infrastructure;
  EXPECT_EQ(r.exit_code(), ExitCode::infrastructure);
}

TEST(RunResult, DeviceClassComesFromItsOwnCasesAndCriteria) {
  const RunResult r = test::mixed_run();
  EXPECT_EQ(r.device_failure_class("argon-1"), FailureClass::device);
  EXPECT_EQ(r.device_failure_class("boron-1"), FailureClass::infrastructure);
  EXPECT_FALSE(r.device_failure_class("photon-9").has_value());
}

TEST(RunResult, LocationTextIsFileLineColumn) {
  EXPECT_EQ(location_text({"s.yaml", 14, 7}), "s.yaml:14:7");
  EXPECT_EQ(location_text({"s.yaml", 0, 0}), "s.yaml");
  EXPECT_EQ(location_text({}), "");
}

}  // namespace
}  // namespace cyanrig
