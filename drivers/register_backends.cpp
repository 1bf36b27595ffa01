// Every backend compiled into this binary, registered by name. Each backend family adds its
// register_*_backends() call here.
#include "drivers/cloud/register.hpp"
#include "drivers/led/register.hpp"
#include "drivers/outage/register.hpp"
#include "drivers/power/command/command_power.hpp"
#include "drivers/power/gpiod/gpiod_power.hpp"
#include "drivers/serial/register.hpp"
#include "drivers/sim/register.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

const BackendRegistry& BackendRegistry::builtin() {
  static const BackendRegistry registry = [] {
    BackendRegistry r;
    register_sim_backends(r);
    r.add<PowerSwitch>("gpiod", gpiod_power_backend());
    r.add<PowerSwitch>("command", command_power_backend());
    register_serial_hw_backends(r);
    register_led_hw_backends(r);
    register_outage_hw_backends(r);
    register_cloud_hw_backends(r);
    return r;
  }();
  return registry;
}

}  // namespace cyanrig
