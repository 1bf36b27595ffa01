// The DFU flasher of the `sim` serial backend: DfuAttempt's order (drivers/serial/dfu/dfu_attempt.hpp)
// acted out on a simulated device. Its port is asked at 14400 baud when it is attached (and the
// backend's lab faults `missing` / `not_a_tty` make it unopenable, as they do for the serial log);
// "dfu-util" finds the device only once its bootloader has enumerated, then downloads the image at
// the device's DFU speed. The timeline gets the same actions as on hardware, the dfu-util command
// line marked "(simulated)".
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig::sim {

BackendFactory<DfuFlasher> sim_dfu_backend();

}  // namespace cyanrig::sim
