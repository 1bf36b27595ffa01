// The run itself: repeats, each device's flow through the steps, the barriers of shared steps, and
// every exit. It owns the clock, the timeline and the rooms, and wires them together:
//
//   backends (rig_backends)  ->  observers (device_observers)  ->  timeline  ->  results fold,
//   power (power_sequencer), outages (outage_coordinator),                      results folder,
//   steps (steps/*), waits, cloud (cloud_side), measurements, health check      progress
//
// Verdicts are timeline events (failure, measurement, criterion, case start/end); the RunResult is
// the fold of the timeline, so a step, a measurement, the summary and junit.xml cannot disagree.
#pragma once

#include <boost/asio/signal_set.hpp>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rig/engine/backend_calls.hpp"
#include "rig/engine/cloud_listing.hpp"
#include "rig/engine/cloud_side.hpp"
#include "rig/engine/device_observers.hpp"
#include "rig/engine/engine.hpp"
#include "rig/engine/flow.hpp"
#include "rig/engine/health_check.hpp"
#include "rig/engine/measurements.hpp"
#include "rig/engine/outage_coordinator.hpp"
#include "rig/engine/power_sequencer.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/engine/run_context.hpp"
#include "rig/engine/steps/step_context.hpp"
#include "rig/engine/waits.hpp"
#include "rig/results/result_fold.hpp"
#include "rig/results/results_folder.hpp"
#include "rig/results/serial_log.hpp"

namespace cyanrig {

class ScenarioRun {
 public:
  ScenarioRun(const Scenario& scenario, const Rack& rack, const BackendRegistry& registry,
              const RunOptions& options);
  ScenarioRun(const ScenarioRun&) = delete;
  ScenarioRun& operator=(const ScenarioRun&) = delete;
  ~ScenarioRun();

  RunReport execute();

 private:
  RunResult header() const;
  void open_results();
  void watch_signals();
  void run_loop_guarded();

  void start();
  void after_health(const HealthCheck::Unhealthy& unhealthy);
  void begin_repeat(int repeat);
  void advance(Flow& f);
  void fail(Flow& f, Failure failure);
  void blame(const std::string& device, Failure failure);
  void record_failure(const std::string& device, int repeat, const Failure& failure);
  void after_flow_change();
  void release_barrier(const std::string& group);
  void end_repeat();
  void close_repeat(Instant ended);
  void finish_run();
  void abort_run(FailureClass cls, const std::string& kind, const std::string& message);
  void observer_fault(const std::string& device, const std::string& kind, const std::string& message);
  // The barrier a flow at a shared step waits at: its own segment, or "*" for a step naming segments.
  std::string barrier_group(const Flow& f) const;
  Flow* flow_of(const std::string& device);

  const Scenario& scenario_;
  const Rack& rack_;
  const BackendRegistry& registry_;
  const RunOptions& options_;
  std::vector<const RackDevice*> selected_;
  std::unique_ptr<Clock> clock_;
  Timeline timeline_;
  RunContext run_;
  BackendContext context_;
  BackendCalls calls_;
  RigBackends backends_;
  ResultFold fold_;
  std::optional<ResultsFolder> results_;
  std::optional<SerialLogFiles> serial_logs_;
  PowerSequencer power_;
  DeviceObservers observers_;
  OutageCoordinator outages_;
  Waits waits_;
  CloudSide cloud_;
  CloudListing listing_;
  StepContext steps_;
  Measurements measurements_;
  HealthCheck health_;
  boost::asio::signal_set signals_;

  std::vector<std::unique_ptr<Flow>> flows_;
  std::map<std::string, std::string> unhealthy_;  // device -> why, from the health check
  std::map<std::string, Failure> faulty_;         // device -> a source that failed for good
  int repeat_ = 0;
  bool repeat_open_ = false;
  Instant repeat_started_;
  bool barrier_busy_ = false;
  bool stopping_ = false;
  bool finishing_ = false;
  std::chrono::steady_clock::time_point wall_start_;
  std::chrono::steady_clock::time_point summary_written_;
};

}  // namespace cyanrig
