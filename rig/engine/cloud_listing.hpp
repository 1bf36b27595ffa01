// When the cloud's "online" stops being evidence. The cloud lists a device online until it notices
// the session is gone: at once when the device says goodbye, but after a power cut, a crash or a
// connection lost in an outage only when the device connects again (`offline` right before
// `online`) or two keepalives later — 46 minutes on cellular. Until then "online" describes a
// session that no longer exists, so an expect or a measurement waiting for `cloud: online` must not
// be satisfied by it.
//
// This room watches the run's timeline and, when a device's session certainly ended under a
// listing that says online (the rig cut its power, or its log shows it restarted or lost the
// cloud), records `listing_stale`: the listing stays "online" (what the cloud says, which is what
// classifies an orphan), but it is stale until the cloud announces the device online again
// (spark/status) or a poll sees it go offline and come back. An outage alone does not make it
// stale: a session can outlive a short one, and then no new `online` comes.
#pragma once

#include "rig/engine/run_context.hpp"

namespace cyanrig {

class CloudListing {
 public:
  explicit CloudListing(RunContext& run);
  ~CloudListing();
  CloudListing(const CloudListing&) = delete;
  CloudListing& operator=(const CloudListing&) = delete;

 private:
  void on_event(const Event& e);
  void mark_stale(const std::string& device, const std::string& because);

  RunContext& run_;
  Timeline::ListenerId listener_;
};

}  // namespace cyanrig
