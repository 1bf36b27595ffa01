// Outage backend `netem`: mode impair, as a netem queueing discipline at the root of the segment's
// interface (loss, delay, jitter on everything the Pi sends the devices through it).
//
//   outage: {backend: netem, interface: wlan0, netns: lab}
//
// netem sits on the egress side: on the devices' interface it shapes what the cloud sends them,
// which delays their acknowledgements as well. The rig treats a netem root qdisc on that interface as
// its own: lab Pis have no other reason to put netem there, so stop and `outage clear` remove one
// whoever left it, and any other root qdisc is left alone.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

BackendFactory<OutageSwitch> netem_outage_backend();

// `tc` arguments that put `impairment` at the root of `interface`:
// {"tc", "qdisc", "replace", "dev", "wlan0", "root", "netem", "loss", "20%", "delay", "200ms", "50ms"}.
std::vector<std::string> netem_command(const std::string& interface, const Impairment& impairment);

// The root queueing discipline of an interface, from `tc -s -j qdisc show dev IF`.
struct RootQdisc {
  std::string kind;  // "netem", "pfifo_fast", "noqueue", ...
  std::uint64_t packets = 0;
  std::uint64_t drops = 0;
};
// nullopt with `error` set when the output is not tc's JSON; an empty kind when there is no root.
std::optional<RootQdisc> parse_root_qdisc(std::string_view json, std::string& error);

}  // namespace cyanrig
