// An OTA application update on a simulated device (particle-reference.md §3 comm.ota lines, §6):
// fast blinking magenta while the file streams in at the radio's rate, then validate, apply and reset
// into the new firmware. An outage that stops the transfer ends it with `Transfer timeout`.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "drivers/sim/device_parts.hpp"
#include "drivers/sim/steps.hpp"

namespace cyanrig::sim {

class FirmwareUpdate {
 public:
  struct Hooks {
    // spark/flash/status as the cloud publishes it: "started ", "success ", "failed".
    std::function<void(std::string_view status)> on_status;
    std::function<void()> on_failed;                      // the device carries on with its old firmware
    std::function<void(std::string version)> on_applied;  // reset into `version`
  };

  FirmwareUpdate(DeviceParts& parts, Hooks hooks);

  // `corrupt`: the image fails validation once transferred (the failed_ota fault).
  void begin(std::uintmax_t bytes, std::string version, bool corrupt = false);
  // The session went away mid-transfer: Device OS cancels the update.
  void cancel();
  // Power loss or reset: the transfer just stops. True if one was in progress.
  bool stop();
  void segment_changed();
  bool active() const { return active_; }

 private:
  void transfer_complete();
  void stalled();
  void failed(std::string_view why);

  DeviceParts& parts_;
  Hooks hooks_;
  StepChain steps_;
  bool active_ = false;
  bool transferring_ = false;  // the file is streaming in (an outage now stalls it)
  Instant started_{};
  std::string version_;
  bool corrupt_ = false;
};

}  // namespace cyanrig::sim
