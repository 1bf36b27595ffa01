#include "drivers/led/register.hpp"

#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "drivers/led/tcs34725/tcs34725_sensor.hpp"

namespace cyanrig {

void register_led_backends(BackendRegistry& registry) {
  registry.add<ColourSensor>("sim", sim::sim_led_backend());
  registry.add<ColourSensor>("tcs34725", tcs34725_led_backend());
}

}  // namespace cyanrig
