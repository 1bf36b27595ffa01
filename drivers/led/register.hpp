// Registers every LED sensor backend: `sim`, and the TCS34725 colour sensor on Linux i2c-dev behind an
// optional TCA9548A multiplexer (`tcs34725`).
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

void register_led_backends(BackendRegistry& registry);

}  // namespace cyanrig
