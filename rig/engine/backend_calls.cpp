#include "rig/engine/backend_calls.hpp"

#include <fmt/format.h>

#include <memory>

#include "rig/core/duration_text.hpp"

namespace cyanrig {

void BackendCalls::ask(const std::string& who, const std::function<void(Done)>& request,
                       std::function<void(const Status&)> finish, Duration limit) {
  struct Pending {
    bool answered = false;
    Timer timeout;
  };
  auto pending = std::make_shared<Pending>();
  auto once = [pending, finish = std::move(finish)](const Status& status) {
    if (pending->answered) return;
    pending->answered = true;
    pending->timeout.cancel();
    finish(status);
  };
  pending->timeout = clock_.after(limit, [once, who, limit] {
    once(fault(fmt::format("{} did not answer within {}", who, format_duration(limit))));
  });
  // Answers are posted, so even one given inside request() arrives on a later turn of the loop.
  request([this, once](Status status) { clock_.post([once, status = std::move(status)] { once(status); }); });
}

}  // namespace cyanrig
