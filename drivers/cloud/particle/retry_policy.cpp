#include "drivers/cloud/particle/retry_policy.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;

// 0.5 s, 1 s, 2 s: a brief cloud hiccup is ridden out well within a 40 s request deadline.
Duration back_off(int attempts_made) {
  return Duration(500ms) * (1 << (attempts_made - 1));
}

bool worth_repeating(RequestKind kind, const AttemptResult& result) {
  switch (result.reply.error) {
    case CloudError::rate_limited:
      return true;
    case CloudError::connection:
      return kind == RequestKind::read || !result.request_sent;
    case CloudError::server:
      return kind == RequestKind::read;
    default:
      return false;  // success, or an answer that would be the same next time
  }
}

}  // namespace

std::optional<Duration> retry_wait(RequestKind kind, const AttemptResult& result, int attempts_made,
                                   Duration time_left) {
  if (attempts_made >= kMaxAttempts || !worth_repeating(kind, result)) return std::nullopt;
  const Duration wait = result.reply.error == CloudError::rate_limited && result.retry_after
                            ? *result.retry_after
                            : back_off(attempts_made);
  if (wait >= time_left) return std::nullopt;
  return wait;
}

}  // namespace cyanrig
