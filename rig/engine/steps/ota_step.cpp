// `ota: FIRMWARE`: the cloud must accept the update and report spark/flash/status started within
// the step's limit; what the device does after is for later steps to expect.
#include <fmt/format.h>

#include "rig/engine/steps/step_context.hpp"
#include "rig/engine/timeline_query.hpp"
#include "rig/event_names.hpp"

namespace cyanrig {

void run_ota_step(StepContext& ctx, Flow& f, const OtaStep& step, Pass pass) {
  const Instant until = ctx.run.clock.now() + ctx.run.scenario.resolve(step.within, f.device());
  ctx.cloud.request(
      f, until, fmt::format("OTA of {}", step.firmware.filename().string()),
      [&ctx, &f, step](Cloud::Reply reply) {
        ctx.cloud.cloud()->flash(f.device().id, step.firmware, std::move(reply));
      },
      [&ctx, &f, until, pass](const CloudReply&) {
        ctx.waits.end_wait(f);
        Observation started;
        started.kind = Observation::Kind::cloud_event;
        started.value = ev::cloud::kFlashStatus;
        started.data = "started";
        ctx.waits.wait_for(f, started, f.step_started, until, pass, [&ctx, &f, until] {
          if (const auto why = ctx.cloud.stream_down_between(f.step_started, until)) {
            ctx.fail(f, Failure{.cls = FailureClass::infrastructure,
                                .kind = "cloud_unobservable",
                                .message = fmt::format(
                                    "{}: the cloud's event stream was down during the update ({})", f.name(),
                                    *why)});
            return;
          }
          ctx.fail(f, Failure{.cls = FailureClass::device,
                              .kind = "ota_not_started",
                              .message = fmt::format("{}: the cloud accepted the update but did not report "
                                                     "spark/flash/status started by {}",
                                                     f.name(), clock_text(until))});
        });
      });
}
}  // namespace cyanrig
