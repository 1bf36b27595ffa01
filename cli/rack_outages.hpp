// A rack's outage backends on a loop of their own, for the commands that look at outages outside a
// run: `cyanrig outage status|clear`, and `cyanrig monitor`, which reads them before each probe so
// an outage someone started is reported (cyanrig_outage_active) and left alone.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "rig/clock.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::cli {

struct RackOutage {
  std::string segment;
  std::string label;  // "lab-wifi / nftables"
  std::unique_ptr<OutageSwitch> outage;
};

// Everything one command works with: the rack, its clock, and its outage backends.
class RackOutages {
 public:
  // The rack at `path` (the built-in simulated rack when empty); false when it does not load or a
  // backend cannot be built, with the reasons printed.
  bool load(const std::string& path);
  // The backends of a rack already loaded; false when one cannot be built (reasons printed).
  bool build(const Rack& rack);

  const Rack& rack() const { return *rack_; }
  std::vector<RackOutage>& outages() { return outages_; }

  // Calls `step` for each backend in turn, on the loop; false if they did not all finish in time.
  bool each_in_turn(const std::function<void(RackOutage&, std::function<void()> next)>& step);

  // Segment -> whether any of its backends has an outage in force; a backend that cannot be
  // asked counts as in force (probing would lift what it may have), with the fault logged.
  std::map<std::string, bool> in_force();

 private:
  bool build_one(const Segment& segment, const BackendSpec& spec);

  std::unique_ptr<Rack> rack_;
  std::unique_ptr<Clock> clock_;
  std::unique_ptr<BackendContext> context_;
  std::vector<RackOutage> outages_;  // last: destroyed before the clock they use
};

}  // namespace cyanrig::cli
