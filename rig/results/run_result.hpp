// What a run found, as the results writers need it. The engine fills this from the timeline.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/core/diagnostic.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

// Who is to blame: the device (what the rig exists to catch), the lab (relay, port, sensor,
// outage backend, cloud API), or the scenario itself (unknown function, bad firmware path).
enum class FailureClass { device, infrastructure, scenario };
std::string_view to_string(FailureClass c);

// Exit codes CI acts on.
enum class ExitCode : int { pass = 0, device_failure = 1, invalid = 2, infrastructure = 3 };

struct Failure {
  FailureClass cls = FailureClass::device;
  std::string kind;     // short tag: "timeout", "orphaned", "power", "measurement", ...
  std::string message;  // what was expected, what was seen and when
  std::string step;     // "steps[3] expect" ; empty when not tied to a step
  SourceLoc where;      // scenario file position of the step
  Instant t;            // when it was decided
};

// "file:line:col" for a failure's scenario position; "file" when the line is unknown, "" when the
// file is.
std::string location_text(const SourceLoc& where);

// Worst class among some failures (infrastructure, then scenario, then device); empty when none.
std::optional<FailureClass> worst_class(const std::vector<Failure>& failures);

// One device in one repeat: a JUnit test case.
struct CaseResult {
  std::string device;
  int repeat = 0;  // 1-based
  Instant started;
  Instant ended;
  std::vector<Failure> failures;  // empty = passed
  bool passed() const { return failures.empty(); }
};

struct MeasurementSample {
  std::string name;
  std::string device;
  int repeat = 0;
  std::optional<double> value;  // in `unit`; empty when an endpoint never happened
  std::string unit;             // "s", "ms", "min"
  std::string missing;          // why value is empty
};

// One pass criterion evaluated over a set of samples (one device's repeats, or the whole rack).
struct CriterionResult {
  std::string measurement;
  std::string scope;      // device name, or "rack"
  std::string statistic;  // "max", "p50", "p75", "p95", "min", "mean"
  double limit = 0;
  std::optional<double> actual;
  std::string unit;
  bool passed = false;
};

struct DeviceSummary {
  std::string name;
  std::string id;
  std::string platform;
  std::string firmware;
  bool passed = true;
  std::optional<FailureClass> failure_class;  // worst class among its failures
};

struct RunResult {
  std::string scenario;  // scenario name
  std::string scenario_file;
  std::string rack;  // rack name
  std::string rack_file;
  std::uint64_t seed = 0;
  bool simulated = false;
  std::string started_utc;  // ISO 8601, wall clock at run start
  double wall_seconds = 0;
  double rig_seconds = 0;  // run duration on the run's clock (simulated seconds on the sim rack)
  int repeats = 1;
  std::vector<DeviceSummary> devices;
  std::vector<CaseResult> cases;
  std::vector<MeasurementSample> samples;
  std::vector<CriterionResult> criteria;
  std::vector<Failure> run_failures;  // not tied to one device (e.g. an outage that never lifted)

  // Everything passed: no failure in any case or in the run, no failed criterion, no failed device.
  bool passed() const;
  // Worst class present, for the overall verdict; empty when everything passed.
  // Order: infrastructure, then scenario, then device (see run_result.cpp for why).
  std::optional<FailureClass> worst_class() const;
  // Worst class for one device: its summary, its cases' failures and its failed criteria.
  std::optional<FailureClass> device_failure_class(std::string_view device) const;
  ExitCode exit_code() const;
};

}  // namespace cyanrig
