// When a failed request to the cloud is tried again, and after how long.
//
// A read (GET device info, GET variable) changes nothing, so it is repeated after a connection
// failure or a 5xx. An action (POST function call, PUT firmware) may already have run on the device
// when the answer is lost, so it is repeated only when the cloud certainly did not act on it: a 429
// (refused before doing anything), or a connection that failed before a byte of the request was
// written (resolve, connect or TLS handshake). A 408 or 5xx after an action is final.
#pragma once

#include <optional>

#include "rig/capabilities/cloud.hpp"

namespace cyanrig {

enum class RequestKind { read, action };

struct AttemptResult {
  CloudReply reply;                     // the mapped answer, or CloudError::connection
  bool request_sent = true;             // false: failed before the request left this host
  std::optional<Duration> retry_after;  // from a 429's Retry-After header
};

inline constexpr int kMaxAttempts = 4;

// The wait before attempt number `attempts_made + 1`, or nullopt to give `result` to the caller.
// A wait that would end after `time_left` is not taken: the request's deadline wins.
std::optional<Duration> retry_wait(RequestKind kind, const AttemptResult& result, int attempts_made,
                                   Duration time_left);

}  // namespace cyanrig
