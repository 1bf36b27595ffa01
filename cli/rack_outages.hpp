// A rack's outage backends on a loop of their own, for the commands that look at outages outside a
// run: `cyanrig outage status|clear`, and `cyanrig monitor`, which reads them before each probe so
// an outage someone started is reported (cyanrig_outage_active) and left alone.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "cli/rack_bench.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::cli {

struct RackOutage {
  std::string segment;
  std::string label;  // "lab-wifi / nftables"
  std::unique_ptr<OutageSwitch> outage;
};

class RackOutages {
 public:
  explicit RackOutages(Rack rack) : bench_(std::move(rack)) {}

  // Builds every segment's outage backends; false when one cannot be built, with the reasons printed.
  bool build();

  const Rack& rack() const { return bench_.rack(); }
  std::vector<RackOutage>& outages() { return outages_; }

  // Calls `step` for each backend in turn, on the loop; false if they did not all finish in time.
  bool each_in_turn(const std::function<void(RackOutage&, std::function<void()> next)>& step);

  // Segment -> whether any of its backends has an outage in force; a backend that cannot be
  // asked counts as in force (probing would lift what it may have), with the fault logged.
  std::map<std::string, bool> in_force();

 private:
  RackBench bench_;
  std::vector<RackOutage> outages_;  // last: destroyed before the clock they use
};

}  // namespace cyanrig::cli
