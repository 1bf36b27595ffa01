// What the run asks the Particle cloud, and how it reads the answers. A cloud error means different
// things (docs/cloud.md): a device that does not answer (408) is the device's failure — "orphaned"
// when it looked connected on both sides —, an unknown function or bad request is the scenario's,
// and a refused token, a server error or a cloud that cannot be reached is the lab's. The same
// reading applies to every cloud observation, not only to calls: a status poll that is refused, or
// an event stream that is down while a step waits for a cloud event, makes the wait end as an
// infrastructure failure — never as the device's timeout.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "rig/capabilities/cloud.hpp"
#include "rig/engine/flow.hpp"
#include "rig/engine/run_context.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig {

class CloudSide {
 public:
  using Fail = std::function<void(Flow&, Failure)>;

  CloudSide(RunContext& run, Cloud* cloud, Fail fail) : run_(run), cloud_(cloud), fail_(std::move(fail)) {}

  Cloud* cloud() const { return cloud_; }

  // Asks the cloud whether the device is online and records a change on the timeline; then `then`.
  // A refused request fails the flow (infrastructure) instead.
  void poll_status(Flow& f, std::function<void()> then);

  // Sends a request with the step's deadline: no answer by `until` is the device's failure; an error
  // answer fails the flow as cloud_failure() says; a good one goes to `ok`.
  void request(Flow& f, Instant until, const std::string& what, const std::function<void(Cloud::Reply)>& send,
               std::function<void(const CloudReply&)> ok);

  // Why the rack's event stream could not be relied on at some time in [from, to] (it was down),
  // or nothing when it could.
  std::optional<std::string> stream_down_between(Instant from, Instant to) const;
  // The stream is down now because the cloud refused the token: nothing will come back by waiting.
  std::optional<std::string> token_refused_now() const;

  Failure cloud_failure(Flow& f, const CloudReply& reply, const std::string& what) const;

 private:
  RunContext& run_;
  Cloud* cloud_;
  Fail fail_;
};

}  // namespace cyanrig
