#include "drivers/power/register.hpp"

#include "drivers/power/command/command_power.hpp"
#include "drivers/power/gpiod/gpiod_power.hpp"
#include "drivers/power/sim/sim_power.hpp"

namespace cyanrig {

void register_power_backends(BackendRegistry& registry) {
  registry.add<PowerSwitch>("sim", sim::sim_power_backend());
  registry.add<PowerSwitch>("gpiod", gpiod_power_backend());
  registry.add<PowerSwitch>("command", command_power_backend());
}

}  // namespace cyanrig
