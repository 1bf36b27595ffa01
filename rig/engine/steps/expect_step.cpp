// `expect: {WHAT, within: LIMIT, from: MARK}`: WHAT must hold within LIMIT of MARK. A timeout is the
// device's failure only when the rig could see the device the whole time: a wait on the cloud side
// ends as an infrastructure failure when the cloud refused the token, answered a status poll with
// an error, or its event stream was down during the wait.
#include <fmt/format.h>

#include "rig/core/duration_text.hpp"
#include "rig/core/overloaded.hpp"
#include "rig/engine/steps/step_context.hpp"
#include "rig/engine/timeline_query.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// While a step waits for a cloud status, the rig also asks the cloud this often, so a status lost
// with a dropped event stream is still seen, and a cloud that refuses requests is noticed promptly.
constexpr Duration kStatusPoll = 15s;

bool on_cloud_side(const Observation& o) {
  return o.kind == Observation::Kind::cloud_status || o.kind == Observation::Kind::cloud_event;
}

// Fails the flow at once when the cloud refuses the token: no waiting can bring an answer then.
void fail_if_token_refused(StepContext& ctx, Flow& f) {
  if (const auto why = ctx.cloud.token_refused_now()) {
    ctx.fail(f, Failure{.cls = FailureClass::infrastructure,
                        .kind = "cloud_token",
                        .message = fmt::format(
                            "{}: the cloud refused the access token ({}): the device's cloud side "
                            "cannot be observed",
                            f.name(), *why)});
  }
}

void poll_until(StepContext& ctx, Flow& f, Instant until) {
  const Instant next = ctx.run.clock.now() + kStatusPoll;
  if (next >= until) return;
  f.timers.push_back(ctx.run.clock.at(next, [&ctx, &f, until] {
    ctx.cloud.poll_status(f, [&ctx, &f, until] { poll_until(ctx, f, until); });
  }));
}

void expect_observation(StepContext& ctx, Flow& f, const ExpectStep& e, const Observation& o, Instant from,
                        Instant until, Pass pass) {
  const Duration within = until - from;
  const auto device_timeout = [&ctx, &f, o, within, e, until] {
    ctx.fail(f, Failure{.cls = FailureClass::device,
                        .kind = "timeout",
                        .message = fmt::format("expected {} within {} of {} (by {}); saw {}", o.describe(),
                                               format_duration(within), e.from, clock_text(until),
                                               describe_device_state(ctx.run.timeline, f.name()))});
  };
  if (!on_cloud_side(o)) {
    ctx.waits.wait_for(f, o, from, until, std::move(pass), device_timeout);
    return;
  }
  ctx.waits.also_on_rack_events(f, EventKind::cloud, [&ctx, &f] { fail_if_token_refused(ctx, f); });
  if (o.kind == Observation::Kind::cloud_event) {
    ctx.waits.wait_for(f, o, from, until, std::move(pass), [&ctx, &f, from, until, device_timeout] {
      if (const auto why = ctx.cloud.stream_down_between(from, until)) {
        ctx.fail(f, Failure{.cls = FailureClass::infrastructure,
                            .kind = "cloud_unobservable",
                            .message = fmt::format(
                                "{}: the cloud's event stream was down during the wait ({}), so a "
                                "missing cloud event says nothing about the device",
                                f.name(), *why)});
        return;
      }
      device_timeout();
    });
    return;
  }
  // A cloud status: the wait ends with one more poll, so a timeout rests on an answer of the cloud.
  ctx.waits.wait_for(f, o, from, until, std::move(pass), [&ctx, &f, device_timeout] {
    ctx.waits.end_wait(f);
    ctx.cloud.poll_status(f, device_timeout);
  });
  poll_until(ctx, f, until);
}

}  // namespace

void run_expect_step(StepContext& ctx, Flow& f, const ExpectStep& e, Pass pass) {
  const Instant from = f.marks.at(e.from);
  const Instant until = from + ctx.run.scenario.resolve(e.within, f.device());
  std::visit(Overloaded{[&](const Observation& o) {
                          if (!on_cloud_side(o)) {
                            expect_observation(ctx, f, e, o, from, until, std::move(pass));
                            return;
                          }
                          fail_if_token_refused(ctx, f);
                          if (f.done) return;
                          if (o.kind == Observation::Kind::cloud_event) {
                            expect_observation(ctx, f, e, o, from, until, std::move(pass));
                            return;
                          }
                          // A fresh status first: the stream only says what changed.
                          ctx.cloud.poll_status(f, [&ctx, &f, e, o, from, until, pass] {
                            expect_observation(ctx, f, e, o, from, until, pass);
                          });
                        },
                        [&](const CloudCall& c) { run_cloud_call_step(ctx, f, c, until, std::move(pass)); },
                        [&](const VariableRead& v) { run_variable_step(ctx, f, v, until, std::move(pass)); }},
             e.what);
}

}  // namespace cyanrig
