// `power: on|off|cycle`: a backend that fails or does not answer is the lab's fault.
#include <fmt/format.h>

#include "rig/engine/steps/step_context.hpp"

namespace cyanrig {

void run_power_step(StepContext& ctx, Flow& f, const PowerStep& step, Pass pass) {
  const std::uint64_t generation = f.generation;
  const auto guard = [&ctx, &f, generation](std::function<void()> next) {
    return [&ctx, &f, generation, next = std::move(next)](const Status& status) {
      if (f.done || f.generation != generation) return;
      if (!status.ok()) {
        ctx.fail(f, Failure{.cls = FailureClass::infrastructure,
                            .kind = "power",
                            .message = fmt::format("{}: {}", f.name(), status.message())});
        return;
      }
      next();
    };
  };
  if (step.action != PowerStep::Action::cycle) {
    ctx.power.set(*f.backends, step.action == PowerStep::Action::on ? PowerState::on : PowerState::off,
                  guard(std::move(pass)));
    return;
  }
  ctx.power.set(*f.backends, PowerState::off, guard([&ctx, &f, off_for = *step.off_for, guard, pass] {
    f.timers.push_back(ctx.run.clock.after(
        off_for, [&ctx, &f, guard, pass] { ctx.power.set(*f.backends, PowerState::on, guard(pass)); }));
  }));
}

}  // namespace cyanrig
