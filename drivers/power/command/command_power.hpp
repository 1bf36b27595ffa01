// Power backend `command`: shell commands switch the supply (uhubctl for a USB hub port, a smart
// plug's CLI, a PDU over ssh or SNMP).
//
//   power: {backend: command, on: "uhubctl -l 1-1 -p 2 -a on", off: "uhubctl -l 1-1 -p 2 -a off",
//           status: "uhubctl -l 1-1 -p 2 | grep -q power", timeout: 10s}
//
// `on` and `off` must exit 0. `status`, when given, runs after each of them to confirm: exit 0 means
// powered, 1 unpowered, anything else is an error. Commands run one at a time in the order asked,
// through /bin/sh -c, with CYANRIG_DEVICE and CYANRIG_DEVICE_ID set. Real processes need real
// time: this backend runs on the steady clock (any rack with a hardware backend has it).
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<PowerSwitch> command_power_backend();

}  // namespace cyanrig
