// The time the monitor loop runs on. On a rack of simulated backends it is virtual: waiting jumps
// straight to the next probe and each probe adds what it took on its own virtual clock, so a week
// of monitoring runs in minutes (`--duration 7d`). Otherwise it is real time.
#pragma once

#include <functional>
#include <memory>

#include "rig/core/time.hpp"

namespace cyanrig::monitor {

class MonitorTime {
 public:
  virtual ~MonitorTime() = default;
  virtual Instant now() const = 0;
  // Waits until `t`, or less when `wake` turns true (real time looks at it every 100 ms).
  virtual void wait_until(Instant t, const std::function<bool()>& wake) = 0;
  // A probe just took `d` on its own clock; real time has passed by itself.
  virtual void passed(Duration d) = 0;
  // now() as Unix time, for the *_timestamp_seconds metrics: the wall clock at start plus the
  // monitor's elapsed time (so in virtual time it runs ahead of the wall clock).
  double unix_seconds() const;

 protected:
  double start_unix_ = 0;
};

std::unique_ptr<MonitorTime> make_virtual_monitor_time();
std::unique_ptr<MonitorTime> make_real_monitor_time();

}  // namespace cyanrig::monitor
