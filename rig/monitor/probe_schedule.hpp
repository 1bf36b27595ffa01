// When each device is probed next: every device once per period, spread evenly across it (device i
// of n first at start + i·period/n), so probes never bunch up and a rack of eight devices with
// `--every 5m` probes one device every 37.5 s. A probe that overruns pushes only its own device.
#pragma once

#include <string>
#include <vector>

#include "rig/core/time.hpp"

namespace cyanrig::monitor {

class ProbeSchedule {
 public:
  ProbeSchedule(std::vector<std::string> devices, Duration every, Instant start);

  struct Due {
    std::string device;
    Instant at;
  };
  // The device due soonest (ties: rack order). The schedule must not be empty.
  Due next() const;
  // `device` was probed (or skipped) and finished at `ended`: due again one period after it was
  // due, or at `ended` if the probe overran its whole period.
  void done(const std::string& device, Instant ended);
  bool empty() const { return entries_.empty(); }
  Duration every() const { return every_; }

 private:
  Duration every_;
  std::vector<Due> entries_;
};

}  // namespace cyanrig::monitor
