// The network half of a simulated device's connection (particle-reference.md §2-§4): joining Wi-Fi or
// registering on the cellular network (blinking green), getting an address (fast blinking green),
// and losing the link. Gen 3+ devices narrate it with network-manager state changes
// (`[system.nm] State changed: A -> B`) and `[net.ifapi]` interface lines; Gen 2 with ARM_WLAN_WD.
#pragma once

#include <functional>
#include <string_view>

#include "drivers/sim/device_parts.hpp"
#include "drivers/sim/steps.hpp"

namespace cyanrig::sim {

class NetworkPhase {
 public:
  struct Hooks {
    std::function<void()> on_up;    // an address is configured: the cloud may connect
    std::function<void()> on_lost;  // the link went away under a configured interface
  };

  NetworkPhase(DeviceParts& parts, Hooks hooks);

  // Radio on (boot, wake): join, then configure an address. `extra` delays the join (fault model).
  // `radio_kept`: the radio stayed powered through a reset, so joining is quick.
  void bring_up(Duration extra = Duration{0}, bool radio_kept = false);
  // Interfaces down and up again (after five minutes of failed cloud attempts).
  void reset();
  // Radio off before sleep: the interface goes down in order, narrated.
  void radio_off();
  // Power loss or reset: everything stops, nothing is said.
  void stop();
  // The segment's outage changed.
  void segment_changed();

  bool up() const { return phase_ == Phase::up; }
  std::string_view phase_name() const;

 private:
  enum class Phase { off, joining, addressing, up };
  // Device OS network manager states (device-os system/src/system_network_manager.cpp).
  enum class Nm {
    disabled,
    iface_down,
    iface_request_down,
    iface_request_up,
    iface_up,
    iface_link_up,
    ip_configured
  };
  static std::string_view nm_name(Nm state);

  bool narrates_nm() const { return parts_.platform.generation >= 3; }
  void move_to(Nm state);
  void join(Duration after);
  void join_attempt_ended();
  void link_missing();
  void link_up();
  void address_configured();
  void link_lost();
  void interface_line(std::string_view up_or_down);

  DeviceParts& parts_;
  Hooks hooks_;
  StepChain steps_;
  Phase phase_ = Phase::off;
  Nm nm_ = Nm::disabled;
  Instant registration_started_{};
};

}  // namespace cyanrig::sim
