// Before the first repeat (LAVA's health check): every selected device is switched on and must show
// that the rig can see it — a serial line when it has a serial port, a lit LED when it has a sensor
// — within kHealthLimit. A device that does not gets the recover steps its rack lists (a power
// cycle), each an event on the timeline, and is checked again; one that still fails is unhealthy:
// its cases fail as an infrastructure error naming what was not seen, and it is not run. The rack
// is left in its safe power state afterwards.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rig/engine/power_sequencer.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/engine/run_context.hpp"

namespace cyanrig {

inline constexpr Duration kHealthLimit = std::chrono::seconds(60);

class HealthCheck {
 public:
  using Unhealthy = std::map<std::string, std::string>;  // device -> why

  HealthCheck(RunContext& run, PowerSequencer& power) : run_(run), power_(power) {}

  void check(std::vector<DeviceBackends*> devices, std::function<void(Unhealthy)> then);

 private:
  struct Attempt;
  void try_device(DeviceBackends& d, std::size_t recover_index, std::function<void(std::string why)> done);
  void watch(DeviceBackends& d, std::function<void(std::string why)> done);

  RunContext& run_;
  PowerSequencer& power_;
};

}  // namespace cyanrig
