// `expect: {call: F, returns: N}` and `expect: {variable: V, equals: X}`: the device answers through
// the cloud, with the right value, by the step's deadline.
#include <fmt/format.h>

#include "rig/engine/steps/step_context.hpp"

namespace cyanrig {

void run_cloud_call_step(StepContext& ctx, Flow& f, const CloudCall& call, Instant until, Pass pass) {
  const std::string what = fmt::format("function {}({})", call.function, call.arg);
  ctx.cloud.request(
      f, until, what,
      [&ctx, &f, call](Cloud::Reply reply) {
        ctx.cloud.cloud()->call_function(f.device().id, call.function, call.arg, std::move(reply));
      },
      [&ctx, &f, call, what, pass](const CloudReply& reply) {
        const auto value = reply.body.value("return_value", nlohmann::json());
        if (call.returns && (!value.is_number_integer() || value.get<long long>() != *call.returns)) {
          ctx.fail(f, Failure{.cls = FailureClass::device,
                              .kind = "wrong_value",
                              .message = fmt::format("{}: {} returned {}, expected {}", f.name(), what,
                                                     value.dump(), *call.returns)});
          return;
        }
        pass();
      });
}

void run_variable_step(StepContext& ctx, Flow& f, const VariableRead& read, Instant until, Pass pass) {
  const std::string what = fmt::format("variable {}", read.variable);
  ctx.cloud.request(
      f, until, what,
      [&ctx, &f, read](Cloud::Reply reply) {
        ctx.cloud.cloud()->read_variable(f.device().id, read.variable, std::move(reply));
      },
      [&ctx, &f, read, what, pass](const CloudReply& reply) {
        const auto value = reply.body.value("result", nlohmann::json());
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        if (read.equals && text != *read.equals) {
          ctx.fail(f, Failure{.cls = FailureClass::device,
                              .kind = "wrong_value",
                              .message = fmt::format("{}: {} is '{}', expected '{}'", f.name(), what, text,
                                                     *read.equals)});
          return;
        }
        pass();
      });
}

}  // namespace cyanrig
