// What a step handler may use while it runs one step for one flow, and the handlers themselves:
// one per step kind (a file each), each calling `pass` once when its step holds or failing the flow
// through `fail`. Outage steps are not among them: they are shared by a segment's devices and run
// by the ScenarioRun's barrier.
#pragma once

#include <functional>

#include "rig/engine/cloud_side.hpp"
#include "rig/engine/flow.hpp"
#include "rig/engine/power_sequencer.hpp"
#include "rig/engine/run_context.hpp"
#include "rig/engine/waits.hpp"
#include "rig/results/run_result.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig {

struct StepContext {
  RunContext& run;
  PowerSequencer& power;
  Waits& waits;
  CloudSide& cloud;
  std::function<void(Flow&, Failure)> fail;  // ends the flow's repeat with this failure
};

using Pass = std::function<void()>;

void run_power_step(StepContext& ctx, Flow& f, const PowerStep& step, Pass pass);      // power_step.cpp
void run_timing_step(StepContext& ctx, Flow& f, const Step::Action& step, Pass pass);  // timing_steps.cpp
void run_expect_step(StepContext& ctx, Flow& f, const ExpectStep& step, Pass pass);    // expect_step.cpp
void run_cloud_call_step(StepContext& ctx, Flow& f, const CloudCall& call, Instant until,
                         Pass pass);  // cloud_steps.cpp
void run_variable_step(StepContext& ctx, Flow& f, const VariableRead& read, Instant until,
                       Pass pass);                                                 // cloud_steps.cpp
void run_sleep_step(StepContext& ctx, Flow& f, const SleepStep& step, Pass pass);  // sleep_step.cpp
void run_ota_step(StepContext& ctx, Flow& f, const OtaStep& step, Pass pass);      // ota_step.cpp

// Dispatches a per-device step to its handler.
void run_device_step(StepContext& ctx, Flow& f, const Step& step, Pass pass);

}  // namespace cyanrig
