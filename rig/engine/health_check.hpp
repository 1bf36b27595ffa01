// Before the first repeat (LAVA's health check): every selected device is switched on and must show
// that the rig can see it — a serial line when it has a serial port, a lit LED when it has a sensor
// — within kHealthLimit. A device that does not gets the recover steps its rack lists (a power
// cycle; a known-good application written over DFU), each an event on the timeline, and is checked
// again after each; one that still fails is unhealthy: its cases fail as an infrastructure error
// naming what was not seen and what was tried, and it is not run. The rack is left in its safe power
// state afterwards.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rig/engine/backend_calls.hpp"
#include "rig/engine/power_sequencer.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/engine/run_context.hpp"

namespace cyanrig {

inline constexpr Duration kHealthLimit = std::chrono::seconds(60);

class HealthCheck {
 public:
  using Unhealthy = std::map<std::string, std::string>;  // device -> why

  HealthCheck(RunContext& run, PowerSequencer& power, BackendCalls& calls)
      : run_(run), power_(power), calls_(calls) {}

  void check(std::vector<DeviceBackends*> devices, std::function<void(Unhealthy)> then);

 private:
  struct Attempt;
  using Finished = std::function<void(std::string why)>;
  // Checks the device; when it fails, runs recover step `recover_index` and checks again. `tried`
  // says what the steps before did, for the final message.
  void try_device(DeviceBackends& d, std::size_t recover_index, std::string tried, Finished done);
  void watch(DeviceBackends& d, Finished done);
  // The dfu_flash step; `next` gets what it did ("dfu_flash (failed: ...)").
  void flash(DeviceBackends& d, const RecoverStep& step, const std::string& why,
             std::function<void(std::string outcome)> next);

  RunContext& run_;
  PowerSequencer& power_;
  BackendCalls& calls_;
};

}  // namespace cyanrig
