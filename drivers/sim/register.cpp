#include "drivers/sim/register.hpp"

#include "drivers/cloud/sim/sim_cloud.hpp"
#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "drivers/outage/sim/sim_outage.hpp"
#include "drivers/power/sim/sim_power.hpp"
#include "drivers/serial/sim/sim_serial_port.hpp"

namespace cyanrig {

void register_sim_backends(BackendRegistry& registry) {
  registry.add<PowerSwitch>("sim", sim::sim_power_backend());
  registry.add<SerialPort>("sim", sim::sim_serial_backend());
  registry.add<ColourSensor>("sim", sim::sim_led_backend());
  registry.add<OutageSwitch>("sim", sim::sim_outage_backend());
  registry.add<Cloud>("sim", sim::sim_cloud_backend());
}

}  // namespace cyanrig
