// dnsmasq's leases file (/var/lib/misc/dnsmasq.leases on Debian and Raspberry Pi OS): one IPv4 lease
// per line, "<expiry epoch> <mac> <ip> <hostname> <client-id>". The Pi hands devices their addresses,
// so a rack file can name a device by its MAC and the rig finds its current IP here.
#pragma once

#include <map>
#include <string>
#include <string_view>

namespace cyanrig {

// MAC (lowercase) -> IPv4 address, the most recent lease for each MAC. IPv6 lines (a DUID line and
// leases keyed by IAID rather than MAC) and lines that do not parse are skipped.
std::map<std::string, std::string> ipv4_leases_by_mac(std::string_view leases_text);

}  // namespace cyanrig
