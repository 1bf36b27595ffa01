#include "drivers/sim/network_phase.hpp"

#include <fmt/format.h>

#include "drivers/sim/device_os.hpp"

namespace cyanrig::sim {

NetworkPhase::NetworkPhase(DeviceParts& parts, Hooks hooks)
    : parts_(parts), hooks_(std::move(hooks)), steps_(parts.clock) {}

std::string_view NetworkPhase::phase_name() const {
  switch (phase_) {
    case Phase::off:
      return "off";
    case Phase::joining:
      return "joining";
    case Phase::addressing:
      return "addressing";
    case Phase::up:
      return "up";
  }
  return "off";
}

std::string_view NetworkPhase::nm_name(Nm state) {
  switch (state) {
    case Nm::disabled:
      return "DISABLED";
    case Nm::iface_down:
      return "IFACE_DOWN";
    case Nm::iface_request_down:
      return "IFACE_REQUEST_DOWN";
    case Nm::iface_request_up:
      return "IFACE_REQUEST_UP";
    case Nm::iface_up:
      return "IFACE_UP";
    case Nm::iface_link_up:
      return "IFACE_LINK_UP";
    case Nm::ip_configured:
      return "IP_CONFIGURED";
  }
  return "DISABLED";
}

void NetworkPhase::move_to(Nm state) {
  if (state == nm_) return;
  if (narrates_nm()) {
    parts_.log.info(category::kNetworkManager,
                    fmt::format("State changed: {} -> {}", nm_name(nm_), nm_name(state)));
  }
  nm_ = state;
}

void NetworkPhase::interface_line(std::string_view up_or_down) {
  if (!narrates_nm()) return;
  // §3: Wi-Fi reports its link, the cellular PPP interface its state.
  const std::string_view what = parts_.platform.cellular() ? "state" : "link";
  parts_.log.info(category::kNetworkInterface,
                  fmt::format("Netif {} {} {}", interface_name(parts_.platform), what, up_or_down));
}

void NetworkPhase::bring_up(Duration extra, bool radio_kept) {
  steps_.stop();
  if (nm_ == Nm::disabled) move_to(Nm::iface_down);
  move_to(Nm::iface_request_up);
  move_to(Nm::iface_up);
  registration_started_ = parts_.clock.now();
  join(parts_.draw(radio_kept ? parts_.timing.rejoin_after_reset : parts_.timing.associate) + extra);
}

void NetworkPhase::join(Duration after) {
  phase_ = Phase::joining;
  parts_.led.show("blinking_green");
  if (!narrates_nm()) parts_.log.info(category::kSystem, "ARM_WLAN_WD 1");
  steps_.then(after, [this] { join_attempt_ended(); });
}

void NetworkPhase::join_attempt_ended() {
  if (parts_.segment.link_up()) {
    link_up();
  } else {
    link_missing();
  }
}

// §3/§4 `link` outage: Wi-Fi keeps retrying the join; a cellular modem keeps searching, and after
// ten minutes without registration it is reset.
void NetworkPhase::link_missing() {
  const DeviceTiming& t = parts_.timing;
  if (!parts_.platform.cellular()) {
    if (!narrates_nm()) parts_.log.warn(category::kSystem, "Resetting WLAN due to WLAN_WD_TO()");
    join(parts_.draw(t.wifi_retry) + parts_.draw(t.associate));
    return;
  }
  if (parts_.clock.now() - registration_started_ < t.registration_timeout) {
    steps_.then(parts_.draw(t.cellular_poll), [this] { join_attempt_ended(); });
    return;
  }
  parts_.log.warn(category::kNetworkManager, "Cellular registration timed out, resetting the modem");
  move_to(Nm::iface_request_down);
  move_to(Nm::iface_down);
  bring_up();
}

void NetworkPhase::link_up() {
  interface_line("UP");
  move_to(Nm::iface_link_up);
  if (!narrates_nm()) parts_.log.info(category::kSystem, "ARM_WLAN_WD 2");
  phase_ = Phase::addressing;
  parts_.led.show("fast_blinking_green");
  steps_.then(parts_.draw(parts_.timing.address), [this] { address_configured(); });
}

void NetworkPhase::address_configured() {
  if (!parts_.segment.link_up()) {
    link_lost();
    return;
  }
  move_to(Nm::ip_configured);
  phase_ = Phase::up;
  hooks_.on_up();
}

void NetworkPhase::link_lost() {
  const bool was_up = phase_ == Phase::up;
  interface_line("DOWN");
  move_to(Nm::iface_up);
  registration_started_ = parts_.clock.now();
  join(parts_.draw(parts_.timing.associate));
  if (was_up) hooks_.on_lost();
}

void NetworkPhase::segment_changed() {
  // A link outage takes a configured interface down at once; while joining, the next attempt sees it.
  if (phase_ == Phase::up && !parts_.segment.link_up()) link_lost();
}

void NetworkPhase::reset() {
  steps_.stop();
  move_to(Nm::iface_request_down);
  move_to(Nm::iface_down);
  phase_ = Phase::off;
  bring_up();
}

void NetworkPhase::radio_off() {
  steps_.stop();
  if (nm_ != Nm::disabled) {
    move_to(Nm::iface_request_down);
    move_to(Nm::iface_down);
    move_to(Nm::disabled);
  }
  phase_ = Phase::off;
}

void NetworkPhase::stop() {
  steps_.stop();
  phase_ = Phase::off;
  nm_ = Nm::disabled;
}

}  // namespace cyanrig::sim
