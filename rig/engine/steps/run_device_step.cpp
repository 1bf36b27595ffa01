// Which handler runs a per-device step.
#include "rig/core/overloaded.hpp"
#include "rig/engine/steps/step_context.hpp"

namespace cyanrig {

void run_device_step(StepContext& ctx, Flow& f, const Step& step, Pass pass) {
  std::visit(Overloaded{[&](const PowerStep& p) { run_power_step(ctx, f, p, std::move(pass)); },
                        [&](const OutageStep&) {},  // shared: run by the barrier
                        [&](const WaitStep&) { run_timing_step(ctx, f, step.action, std::move(pass)); },
                        [&](const MarkStep&) { run_timing_step(ctx, f, step.action, std::move(pass)); },
                        [&](const ExpectStep& e) { run_expect_step(ctx, f, e, std::move(pass)); },
                        [&](const SleepStep& s) { run_sleep_step(ctx, f, s, std::move(pass)); },
                        [&](const OtaStep& o) { run_ota_step(ctx, f, o, std::move(pass)); }},
             step.action);
}

}  // namespace cyanrig
