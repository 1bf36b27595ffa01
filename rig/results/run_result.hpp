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
  std::string where;    // "file:line:col" of the step in the scenario file; empty when none
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
  std::vector<Failure> failures;  // empty = passed (or skipped)
  double wall_seconds = 0;        // how long it took in real time (CI duration charts)
  std::string skipped;            // why it was not run (maintenance); empty when it ran
  bool passed() const { return failures.empty(); }
};

struct MeasurementSample {
  std::string name;
  std::string device;
  int repeat = 0;
  std::optional<double> value;  // in `unit`; empty when an endpoint never happened
  std::string unit;             // "s", "ms", "min"
  std::string missing;          // why value is empty
  // A missing value whose case failed for the lab (or the scenario) says nothing about the device:
  // the class of that failure. Empty when the value is there, or the device itself is to blame.
  std::optional<FailureClass> missing_because;
};

// One pass criterion evaluated over a set of samples (one device's repeats, or the whole rack).
// A sample that never reached the measurement's end counts as above every limit (censored), so a
// repeat that never reconnected can never make a statistic look better.
struct CriterionResult {
  std::string measurement;
  std::string scope;      // device name, or "rack"
  std::string statistic;  // "max", "p50", "p75", "p95", "min", "mean"
  double limit = 0;
  std::optional<double> actual;  // empty when the statistic falls on a missing sample (or none exist)
  std::string unit;
  bool passed = false;
  std::size_t count = 0;    // samples the statistic is over, missing ones included
  std::size_t missing = 0;  // of which never reached the measurement's end
  // Who is to blame when it did not pass: the device, or the lab when the samples it lacks are
  // missing because their cases failed for the lab (the measurement is then inconclusive).
  std::optional<FailureClass> failure_class;
};

// "12.3", ">120 (2 of 5 missing)", "-" : a criterion's actual value as people read it; with a unit,
// "12.3 s", ">120 s (2 of 5 missing)".
std::string actual_text(const CriterionResult& c, std::string_view unit = {});

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
  bool finished = false;  // false while the run goes, and for a run that was killed
  bool aborted = false;   // the run's process died before it finished (found by a later command)
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
