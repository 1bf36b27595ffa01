// Outage backend `link`: mode link, the segment's interface set down and up again with iproute2.
//
//   outage: {backend: link, interface: wlan0, netns: lab}
//
// On a Pi that is the access point, taking wlan0 down drops every station at once (hostapd keeps
// running and brings the AP back with the link). The outage is effective once the kernel reports the
// interface down. Nothing is swept before a run: an interface found down may be down for any reason
// (unplugged, disabled by the lab), so the rig cannot tell it left it so; `cyanrig outage clear`
// brings it up.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<OutageSwitch> link_outage_backend();

// Whether `ip -j link show dev IF` output says the interface is administratively up; nullopt with
// `error` set when the output is not that.
std::optional<bool> parse_link_up(std::string_view json, std::string& error);

}  // namespace cyanrig
