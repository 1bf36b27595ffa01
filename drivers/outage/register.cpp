#include "drivers/outage/register.hpp"

#include "drivers/outage/command/command_outage.hpp"
#include "drivers/outage/gpio/gpio_outage.hpp"
#include "drivers/outage/link/link_outage.hpp"
#include "drivers/outage/netem/netem_outage.hpp"
#include "drivers/outage/nftables/nftables_outage.hpp"
#include "drivers/outage/sim/sim_outage.hpp"

namespace cyanrig {

void register_outage_backends(BackendRegistry& registry) {
  registry.add<OutageSwitch>("sim", sim::sim_outage_backend());
  registry.add<OutageSwitch>("nftables", nftables_outage_backend());
  registry.add<OutageSwitch>("netem", netem_outage_backend());
  registry.add<OutageSwitch>("link", link_outage_backend());
  registry.add<OutageSwitch>("command", command_outage_backend());
  registry.add<OutageSwitch>("gpio", gpio_outage_backend());
}

}  // namespace cyanrig
