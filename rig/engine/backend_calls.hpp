// The one place that enforces what every backend request promises (rig/capabilities/status.hpp):
// an answer comes once, on the run's loop, within kBackendAnswerLimit. A backend that answers twice,
// from another thread, or never, cannot break the run: a missing answer becomes a fault naming the
// backend, and the lab is to blame.
#pragma once

#include <functional>
#include <string>

#include "rig/capabilities/status.hpp"
#include "rig/clock.hpp"

namespace cyanrig {

class BackendCalls {
 public:
  explicit BackendCalls(Clock& clock) : clock_(clock) {}

  // Asks a backend to act (`request` receives the Done to call); `finish` runs once, on the loop,
  // with the backend's answer or, after `limit`, with a fault saying `who` did not answer. The limit
  // is kBackendAnswerLimit but for requests whose capability promises a longer one (a DFU flash).
  void ask(const std::string& who, const std::function<void(Done)>& request,
           std::function<void(const Status&)> finish, Duration limit = kBackendAnswerLimit);

 private:
  Clock& clock_;
};

}  // namespace cyanrig
