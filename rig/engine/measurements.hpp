// The scenario's measurements: for each repeat and device, the time from `from` to the first `to`
// after it, taken once the repeat has ended and the LED decoder can no longer back-date a state
// into it; and, when the run ends, each pass criterion over the samples. Samples and criteria are
// timeline events (the results fold reads them); the room keeps the samples themselves, not the raw
// events, so the timeline can let go of a repeat once its samples are taken.
//
// A repeat that never reached the measurement's end is a sample above every limit (censored): it
// cannot make a statistic look better than it was. When its case failed for the lab, the sample's
// absence says nothing about the device and a criterion that fails on it is inconclusive
// (infrastructure); otherwise the device is to blame, and a case that otherwise passed gets a
// `measurement` failure.
#pragma once

#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rig/engine/run_context.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig {

class Measurements {
 public:
  // Why a device's case of a repeat failed so far (its worst class); empty while it passes.
  using CaseClass = std::function<std::optional<FailureClass>(const std::string& device, int repeat)>;

  Measurements(RunContext& run, std::vector<const RackDevice*> devices, CaseClass case_class);

  // Repeat `repeat` ran from `start` to `end`: its samples are taken kLedRecognitionHorizon later.
  void repeat_ended(int repeat, Instant start, Instant end);
  // The run ends and its timeline is final: takes every pending repeat's samples, then evaluates
  // the criteria.
  void finish();
  // The earliest instant a pending repeat still asks the timeline about (none: now).
  Instant needed_from() const;

 private:
  struct Pending {
    int repeat;
    Instant start;
    Instant end;
    Timer due;
  };
  struct Sample {
    std::string measurement;
    std::string device;
    std::optional<double> value;
    std::optional<FailureClass> missing_because;
  };

  void take(int repeat, Instant start, Instant end, Instant now);
  void take_due();
  void evaluate();

  RunContext& run_;
  std::vector<const RackDevice*> devices_;
  CaseClass case_class_;
  std::deque<Pending> pending_;
  std::vector<Sample> samples_;
};

}  // namespace cyanrig
