// `wait: DURATION|LIMIT` and `mark: NAME`: time passing, and a named instant later steps refer to.
#include "rig/engine/steps/step_context.hpp"

namespace cyanrig {

void run_timing_step(StepContext& ctx, Flow& f, const Step::Action& step, Pass pass) {
  if (const auto* wait = std::get_if<WaitStep>(&step)) {
    f.timers.push_back(
        ctx.run.clock.after(ctx.run.scenario.resolve(wait->duration, f.device()), std::move(pass)));
    return;
  }
  const auto& mark = std::get<MarkStep>(step);
  f.marks[mark.name] = ctx.run.clock.now();
  ctx.run.timeline.record(EventKind::mark, f.name(), mark.name);
  pass();
}

}  // namespace cyanrig
