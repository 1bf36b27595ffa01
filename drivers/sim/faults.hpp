// Fault models of a simulated device (RackDevice::faults). Each fires with its probability, drawn
// from the device's own seeded stream at each opportunity:
//   stuck_after_outage_boot  booted while its segment had an outage: after the outage it keeps failing
//                            the handshake until power-cycled (a reset does not help). Drawn per boot.
//   orphan_after_outage      reconnects after losing the cloud to an outage, looks online, but function
//                            calls and variable reads time out until it resets. Drawn per reconnect.
//   slow_sleep_recovery      after waking, the network takes `extra` (default 25m) longer. Drawn per wake.
//   bad_keys                 every handshake of this boot fails; the cloud never sees it. Drawn per boot.
//   flaky_backoff            a cloud connection attempt fails its handshake. Drawn per attempt.
//   failed_ota               an OTA update fails validation (`Firmware update failed`, flash status
//                            `failed`) and the device keeps its old firmware. Drawn per update.
//   bad_firmware             the application in flash is broken: it writes nothing to the serial port
//                            and panics (SOS, hard fault) a second or two after it starts, so the device
//                            resets in a loop. Power cycles do not help; only a new application written
//                            over DFU (or OTA, were it ever online) cures it. Drawn once per run.
// (particle-reference.md §8: the field reports these models imitate.)
#pragma once

#include <array>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "rig/core/diagnostic.hpp"
#include "rig/core/time.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig::sim {

enum class Fault {
  stuck_after_outage_boot,
  orphan_after_outage,
  slow_sleep_recovery,
  bad_keys,
  flaky_backoff,
  failed_ota,
  bad_firmware
};

std::span<const std::string_view> fault_names();

class DeviceFaults {
 public:
  // Reads the rack's fault list; every unknown fault or parameter is reported to `diags` with its
  // position (and otherwise ignored).
  static DeviceFaults read(const std::vector<FaultSpec>& specs, Diagnostics& diags);

  // The fault's probability, or nothing when the device does not have it.
  std::optional<double> probability(Fault fault) const {
    return probability_[static_cast<std::size_t>(fault)];
  }
  Duration slow_sleep_extra() const { return slow_sleep_extra_; }

 private:
  std::array<std::optional<double>, 7> probability_{};
  Duration slow_sleep_extra_;
};

}  // namespace cyanrig::sim
