#include "rig/results/run_result.hpp"

#include <fmt/format.h>

namespace cyanrig {

std::string_view to_string(FailureClass c) {
  switch (c) {
    case FailureClass::device:
      return "device";
    case FailureClass::infrastructure:
      return "infrastructure";
    case FailureClass::scenario:
      return "scenario";
  }
  return "device";
}

std::string actual_text(const CriterionResult& c, std::string_view unit) {
  const auto number = [&](double v) {
    return unit.empty() ? fmt::format("{:.6g}", v) : fmt::format("{:.6g} {}", v, unit);
  };
  if (c.missing == 0) return c.actual ? number(*c.actual) : "-";
  const std::string value = c.actual ? number(*c.actual) : ">" + number(c.limit);
  return fmt::format("{} ({} of {} missing)", value, c.missing, c.count);
}

std::string location_text(const SourceLoc& where) {
  if (where.file.empty()) return {};
  if (where.line <= 0) return where.file;
  return fmt::format("{}:{}:{}", where.file, where.line, where.column);
}

namespace {

// When classes mix, infrastructure beats scenario beats device. A device verdict reached while the
// lab itself failed (a relay that did not switch, a serial port that vanished, a cloud API that
// answered 500) cannot be trusted, so the run is reported as the lab's fault and CI retries or pages
// the lab owner instead of filing a firmware bug. A broken scenario likewise means the device was
// not tested as intended, so it outranks a device failure but not a broken lab.
int severity(FailureClass c) {
  switch (c) {
    case FailureClass::device:
      return 1;
    case FailureClass::scenario:
      return 2;
    case FailureClass::infrastructure:
      return 3;
  }
  return 1;
}

class WorstClass {
 public:
  void add(FailureClass c) {
    if (!worst_ || severity(c) > severity(*worst_)) worst_ = c;
  }
  void add(const std::vector<Failure>& failures) {
    for (const Failure& f : failures) add(f.cls);
  }
  std::optional<FailureClass> value() const { return worst_; }

 private:
  std::optional<FailureClass> worst_;
};

// A device summary marked failed without a class still failed; blame the device, the default.
void add_device_summary(WorstClass& worst, const DeviceSummary& device) {
  if (!device.passed) worst.add(device.failure_class.value_or(FailureClass::device));
}

}  // namespace

std::optional<FailureClass> worst_class(const std::vector<Failure>& failures) {
  WorstClass worst;
  worst.add(failures);
  return worst.value();
}

bool RunResult::passed() const {
  return !worst_class().has_value();
}

std::optional<FailureClass> RunResult::worst_class() const {
  WorstClass worst;
  for (const CaseResult& c : cases) worst.add(c.failures);
  worst.add(run_failures);
  // A measurement outside its limit is the device's fault, unless the samples it lacks are missing
  // because the lab failed.
  for (const CriterionResult& c : criteria) {
    if (!c.passed) worst.add(c.failure_class.value_or(FailureClass::device));
  }
  for (const DeviceSummary& d : devices) add_device_summary(worst, d);
  return worst.value();
}

std::optional<FailureClass> RunResult::device_failure_class(std::string_view device) const {
  WorstClass worst;
  for (const CaseResult& c : cases) {
    if (c.device == device) worst.add(c.failures);
  }
  for (const CriterionResult& c : criteria) {
    if (c.scope == device && !c.passed) worst.add(c.failure_class.value_or(FailureClass::device));
  }
  for (const DeviceSummary& d : devices) {
    if (d.name == device) add_device_summary(worst, d);
  }
  return worst.value();
}

ExitCode RunResult::exit_code() const {
  const auto worst = worst_class();
  if (!worst) return ExitCode::pass;
  switch (*worst) {
    case FailureClass::device:
      return ExitCode::device_failure;
    // A scenario found broken only at run time (unknown cloud function, missing firmware file) is
    // the same mistake as one found while loading it: invalid usage or files.
    case FailureClass::scenario:
      return ExitCode::invalid;
    case FailureClass::infrastructure:
      return ExitCode::infrastructure;
  }
  return ExitCode::device_failure;
}

}  // namespace cyanrig
