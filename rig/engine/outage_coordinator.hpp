// Outages on a run's network segments: starting, replacing and stopping them through the segment's
// backends, lifting whatever is in force at the end of each repeat and of the run, and clearing
// what an earlier, killed run left behind.
//
// No verdict may rest on an outage that was never shown to bite (docs/architecture.md). So while
// one is in force the coordinator collects evidence for every device whose verdict rests on it —
// the backend saw the device's traffic stopped (a rule's counter rose), or the device itself
// reported the loss (a failed connection attempt, a cloud error flash, the cloud listing it
// offline, unless the rig cut its power since it was last online: that explains the listing) —
// and asks the backend every kOutageHoldPeriod to confirm the outage is still as it was
// started. The run is told (Blame) when a device
//   - has shown no evidence by its deadline: the segment's effect_within, or the platform's loss
//     detection time plus a minute when that is longer (a cellular device notices a silent outage
//     only after ~23.5 min): "outage_not_effective";
//   - has shown none when the outage ends, whatever its length: "outage_unproven";
//   - depends on an outage the backend found removed or altered from outside: "outage_lost";
// each an infrastructure failure: the lab did not do what the scenario asked, so the device was
// not judged.
#pragma once

#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rig/engine/backend_calls.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/engine/run_context.hpp"
#include "rig/results/run_result.hpp"

namespace cyanrig {

class OutageCoordinator {
 public:
  using Blame = std::function<void(const std::string& device, Failure failure)>;

  OutageCoordinator(RunContext& run, BackendCalls& calls, RigBackends& backends, Blame blame);
  OutageCoordinator(const OutageCoordinator&) = delete;
  OutageCoordinator& operator=(const OutageCoordinator&) = delete;

  // Before a run: removes what an earlier, killed run left in force.
  void sweep(std::function<void()> then);
  // Starts (replacing what is in force) or stops the outage `step` asks for on `segment`.
  // `devices`: those whose verdicts rest on it from now on.
  void apply(const std::string& segment, const OutageStep& step, const std::vector<std::string>& devices,
             std::function<void(const Status&)> done);
  // Lifts everything in force on every segment; `then` gets what could not be lifted.
  void lift_all(std::function<void(std::vector<std::string> faults)> then);
  bool any_in_force() const;

 private:
  struct InForce {
    OutageBackend* backend = nullptr;
    OutageSpec spec;
    Instant started;
    std::vector<std::string> devices;
    std::set<std::string> proven;  // devices with evidence
    bool whole_segment = false;    // evidence for every device (the link is down)
    bool lost = false;             // found removed or altered from outside
    std::map<std::string, Timer> deadlines;
    Timer next_hold;
    std::uint64_t generation = 0;
  };

  void start(SegmentBackends& seg, OutageBackend& backend, const OutageSpec& spec,
             const std::vector<std::string>& devices, std::function<void(const Status&)> done);
  void stop(SegmentBackends& seg, std::function<void(const Status&)> done);
  // The outage on `segment` ends: every device it never reached is blamed as unproven.
  void conclude(const std::string& segment);
  void evidence(const std::string& segment, const std::string& device, const std::string& what);
  void watch_device_reports();
  void hold(const std::string& segment, std::uint64_t generation);
  Duration deadline_for(const Segment& segment, const std::string& device) const;

  RunContext& run_;
  BackendCalls& calls_;
  RigBackends& backends_;
  Blame blame_;
  std::map<std::string, InForce> in_force_;  // by segment
  // Devices whose power the rig cut since the cloud last listed them online.
  std::set<std::string> cut_since_online_;
  std::uint64_t next_generation_ = 0;
};

}  // namespace cyanrig
