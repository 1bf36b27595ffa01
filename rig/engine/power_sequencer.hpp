// Every power edge of a run goes through here: it waits until a device has been off for its
// minimum off time before switching it on, keeps devices switched on together the rack's
// on_spacing apart (inrush current), records each edge on the timeline, and drives the rack's safe
// state at every exit.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rig/engine/backend_calls.hpp"
#include "rig/engine/rig_backends.hpp"
#include "rig/engine/run_context.hpp"

namespace cyanrig {

class PowerSequencer {
 public:
  PowerSequencer(RunContext& run, BackendCalls& calls) : run_(run), calls_(calls) {}

  // Sets power and records the edge; `done` gets the backend's answer, within kBackendAnswerLimit
  // whatever the backend does. A newer request for the same device replaces a power-on still waiting.
  void set(DeviceBackends& device, PowerState state, std::function<void(const Status&)> done);

  // Every device with a power switch to the rack's safe state; `then` once all have answered.
  void drive_safe(std::vector<std::unique_ptr<DeviceBackends>>& devices, std::function<void()> then);

 private:
  struct DeviceState {
    std::optional<Instant> last_off;  // when the supply was last switched off
    Timer delayed_on;                 // a power-on waiting for min_off or on_spacing
  };
  void switch_now(DeviceBackends& device, PowerState state, std::function<void(const Status&)> done);

  RunContext& run_;
  BackendCalls& calls_;
  std::map<const RackDevice*, DeviceState> state_;
  Instant next_power_on_;  // the earliest a device may be switched on (on_spacing)
};

}  // namespace cyanrig
