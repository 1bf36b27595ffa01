// Outage backend `nftables`: modes cloud, internet and dns, as drop or reject rules in the rig's own
// table, for a Pi that is the segment's router or Wi-Fi access point.
//
//   outage: {backend: nftables, interface: wlan0, leases: /var/lib/misc/dnsmasq.leases,
//            table: cyanrig, netns: lab}
//
// Every parameter is optional. Devices are matched by the `ip` (or `mac`) the rack file gives them;
// with `leases`, a device known only by MAC is matched by the IPv4 address dnsmasq leased it, else by
// its MAC (which needs the Pi on the devices' layer 2). `interface` restricts every rule to traffic
// arriving there, and lets devices without an address be matched as "everything on the interface".
// `netns` runs nft inside that network namespace (the tests do; a lab can too). Every rule counts
// its packets: the outage is effective for a device once its counter rises, and `cyanrig outage
// status` shows them. nft_rules.hpp says which hooks each mode uses and why.
#pragma once

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<OutageSwitch> nftables_outage_backend();

}  // namespace cyanrig
