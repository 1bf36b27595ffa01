#include "drivers/sim/register.hpp"

#include "drivers/cloud/sim/sim_cloud.hpp"
#include "drivers/led/sim/sim_colour_sensor.hpp"
#include "drivers/outage/sim/sim_outage.hpp"
#include "drivers/power/sim/sim_power.hpp"
#include "drivers/serial/sim/sim_serial_port.hpp"

namespace cyanrig {

namespace {

// Every sim backend runs in simulated time.
template <typename Capability>
void add_sim(BackendRegistry& registry, BackendFactory<Capability> factory) {
  factory.virtual_time = true;
  registry.add<Capability>("sim", std::move(factory));
}

}  // namespace

void register_sim_backends(BackendRegistry& registry) {
  add_sim(registry, sim::sim_power_backend());
  add_sim(registry, sim::sim_serial_backend());
  add_sim(registry, sim::sim_led_backend());
  add_sim(registry, sim::sim_outage_backend());
  add_sim(registry, sim::sim_cloud_backend());
}

}  // namespace cyanrig
