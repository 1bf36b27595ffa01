// Outage backend `gpio`: a relay that cuts a cellular device's antenna (an RF switch between the
// device and its antenna, or an RF enclosure), driven through the power layer's gpiod relay.
//
//   outage: {backend: gpio, chip: gpiochip0, line: 22, active_low: true, wiring: nc}
//
// The parameters are the gpiod power backend's, with the antenna's signal path in the place of the
// device's supply: `wiring` names the relay contact the signal runs through (`nc`: it reaches the
// device while the coil is released, so a dead Pi leaves the antenna connected — the wiring to
// prefer). "Power on" is "antenna connected"; an outage switches it "off". The line is taken at the
// connected level, so building the backend (and `cyanrig outage clear`) reconnects an antenna a
// killed run left cut.
//
// A cut antenna stops everything, so the backend performs `link` and `internet`; it cannot see
// traffic, so the engine relies on the devices' own reports for the effect.
#pragma once

#include "rig/capabilities/power.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<OutageSwitch> gpio_outage_backend();

// The relay "power" state that gives the device its signal (in force = false) or cuts it.
constexpr PowerState antenna_relay_state(bool outage_in_force) {
  return outage_in_force ? PowerState::off : PowerState::on;
}

}  // namespace cyanrig
