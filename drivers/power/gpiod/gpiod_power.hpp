// Power backend `gpiod`: a relay on a GPIO line, through libgpiod 1.6.
//
//   power: {backend: gpiod, chip: gpiochip0, line: 17, active_low: true, wiring: no}
//
// The line is requested when the backend is built, at the level for the rack's safe_power (so
// taking the line never switches a device on), and held until the backend is destroyed.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<PowerSwitch> gpiod_power_backend();

// The gpio line a `{backend: gpiod, chip, line}` block claims (none when it does not validate): the
// gpio outage backend's antenna relay claims lines the same way, so the two are compared.
std::vector<ResourceClaim> gpio_line_claims(const BackendSpec& spec);

}  // namespace cyanrig
