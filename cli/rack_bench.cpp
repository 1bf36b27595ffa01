#include "cli/rack_bench.hpp"

#include <optional>

#include "rig/core/duration_text.hpp"

namespace cyanrig::cli {

RackBench::RackBench(Rack rack)
    : rack_(std::make_unique<Rack>(std::move(rack))),
      clock_(clock_for(*rack_)),
      context_(std::make_unique<BackendContext>(*clock_, *rack_, 1)) {}

Status RackBench::await(const std::function<void(Done)>& request, Duration limit) {
  // Shared with the request: an answer after the limit lands here, not in a finished frame.
  auto answer = std::make_shared<std::optional<Status>>();
  bool timed_out = false;
  const Timer deadline = clock_->after(limit, [&] {
    timed_out = true;
    clock_->stop();
  });
  clock_->post([this, answer, &request] {
    request([this, answer](Status status) {
      *answer = std::move(status);
      clock_->stop();
    });
  });
  while (!answer->has_value() && !timed_out) clock_->run();
  if (answer->has_value()) return std::move(**answer);
  return fault(fmt::format("no answer within {}", format_duration(limit)));
}

}  // namespace cyanrig::cli
