// Whose turn it is to touch a device. The monitor never power-cycles or watches a device that a
// scenario run holds: before each probe (and each watch) it takes the rack's turn, and gives it back
// as soon as that run ends, so a `cyanrig run` waiting for the rack waits at most one of them
// (docs/monitoring.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "rig/rack/rack.hpp"
#include "rig/scenario/scenario.hpp"

namespace cyanrig::monitor {

class ProbeTurn {
 public:
  virtual ~ProbeTurn() = default;
  // Takes the turn for one run of `probe` on `devices`, promising to give it back within the
  // probe's bound on them: nothing when taken, otherwise why not (the probe is skipped this round
  // and counted as skipped).
  virtual std::optional<std::string> take(const Rack& rack, const std::vector<const RackDevice*>& devices,
                                          const Scenario& probe) = 0;
  // Gives back the turn taken last; called once after every successful take().
  virtual void give_back() = 0;
  // Who is waiting for the rack (a scenario run), if anyone: the monitor then starts no probe.
  virtual std::optional<std::string> wanted_by(const Rack& rack) const = 0;
};

}  // namespace cyanrig::monitor
