// The monitor's turn as the rack lock (docs/operations.md, docs/monitoring.md): taken per probe as a
// holder that yields, so a `cyanrig run` that finds the monitor mid-probe asks it to let go and
// waits at most the probe's bound; given back when the probe ends; and between probes the monitor
// stands back while a run's request is pending. A run holding the rack makes the probe a skip that
// names it. Racks made only of in-process simulated backends share nothing and take no lock.
#pragma once

#include <optional>

#include "rig/lock/rack_lock.hpp"
#include "rig/monitor/probe_turn.hpp"

namespace cyanrig::monitor {

class RackLockTurn final : public ProbeTurn {
 public:
  explicit RackLockTurn(const BackendRegistry& registry) : registry_(registry) {}

  std::optional<std::string> take(const Rack& rack, const std::vector<const RackDevice*>& devices,
                                  const Scenario& probe) override;
  void give_back() override { lock_.reset(); }
  std::optional<std::string> wanted_by(const Rack& rack) const override;

 private:
  const BackendRegistry& registry_;
  std::optional<RackLock> lock_;
};

}  // namespace cyanrig::monitor
