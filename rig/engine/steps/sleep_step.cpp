// `sleep: MODE, for: DURATION`: the firmware's sleep function is called through the cloud and the
// LED must go dark within the step's limit.
#include <fmt/format.h>

#include "rig/engine/steps/step_context.hpp"
#include "rig/engine/timeline_query.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {

void run_sleep_step(StepContext& ctx, Flow& f, const SleepStep& step, Pass pass) {
  const Instant until = ctx.run.clock.now() + ctx.run.scenario.resolve(step.within, f.device());
  const std::string arg = fmt::format(
      "{},{}", step.mode, std::chrono::duration_cast<std::chrono::seconds>(step.duration).count());
  ctx.cloud.request(
      f, until, fmt::format("sleep request {}({})", step.function, arg),
      [&ctx, &f, step, arg](Cloud::Reply reply) {
        ctx.cloud.cloud()->call_function(f.device().id, step.function, arg, std::move(reply));
      },
      [&ctx, &f, until, pass](const CloudReply&) {
        ctx.waits.end_wait(f);
        Observation dark;
        dark.kind = Observation::Kind::led;
        dark.value = led_state("off");
        ctx.waits.wait_for(f, dark, f.step_started, until, pass, [&ctx, &f, until] {
          ctx.fail(f, Failure{.cls = FailureClass::device,
                              .kind = "no_sleep",
                              .message = fmt::format(
                                  "{}: asked to sleep but the LED was not off by {}; saw {}", f.name(),
                                  clock_text(until), describe_device_state(ctx.run.timeline, f.name()))});
        });
      });
}

}  // namespace cyanrig
