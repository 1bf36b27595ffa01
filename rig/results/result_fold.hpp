// What a run found, folded from its timeline and nothing else: every verdict is an event (a case
// begun or skipped, a failure, a measurement sample, a criterion), so a step, a measurement, the
// summary, junit.xml and any report cannot disagree. The fold is live: subscribed to the timeline it
// is current after every event (progress displays and the results written while a run goes use it).
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <utility>

#include "rig/results/run_result.hpp"
#include "rig/timeline.hpp"

namespace cyanrig {

class ResultFold {
 public:
  // `header`: what the run is (scenario, rack, seed, ...); the fold fills in the rest.
  explicit ResultFold(RunResult header) : result_(std::move(header)) {}

  void add(const Event& e);

  const RunResult& result() const { return result_; }
  // The worst class among a case's failures so far; empty while it passes (or when there is none).
  std::optional<FailureClass> case_class(const std::string& device, int repeat) const;
  // Ends the fold: devices summarised, run length and wall time set. The result moves out (a long
  // run's cases and samples are the biggest thing it holds): call it on the fold as its last use,
  // std::move(fold).finish(...).
  RunResult finish(double rig_seconds, double wall_seconds) &&;

 private:
  CaseResult* find_case(const std::string& device, int repeat);
  void add_failure(const Event& e);

  RunResult result_;
  std::map<std::pair<std::string, int>, std::size_t> case_index_;  // (device, repeat) -> cases[]
  std::map<std::string, int> latest_repeat_;                       // device -> its latest case
  std::map<std::pair<std::string, int>, std::chrono::steady_clock::time_point> wall_started_;
};

}  // namespace cyanrig
