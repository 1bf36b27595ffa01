// The nftables side of an outage as pure functions: which rules a mode needs, the script that loads
// them, and the counters read back from `nft -j list table`. Kept apart from the processes so every
// mode x action x address kind is tested without root.
//
// The table (`inet cyanrig` by default) belongs to the rig alone. Each load replaces it whole in one
// transaction (`nft -f`), so other tables are never touched and a half-applied outage cannot exist.
//
// Hooks, for a Pi that is the segment's router or access point:
//   forward  traffic the Pi routes from the devices to the uplink: every mode acts here;
//   input    traffic for the Pi itself: only DNS (`dns`, `internet`), because on an access point
//            dnsmasq on the Pi answers the devices' queries. DHCP stays up: taking addresses away
//            is the `link` mode's business.
// Both chains run at priority -10, ahead of the usual filter chains at 0, with policy accept.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/capabilities/outage.hpp"

namespace cyanrig {

// Whose packets a rule matches: one device by address, or everything arriving on the interface.
struct TrafficSource {
  enum class By { ipv4, ipv6, mac, interface };
  By by = By::interface;
  std::string address;  // unused for By::interface
  std::string device;   // rack device name; empty for By::interface (the whole segment)
};

// One segment's outage as rules.
struct SegmentOutage {
  std::string segment;
  std::string interface;  // the segment's side of the Pi; empty: match on address alone
  OutageSpec spec;
  std::vector<TrafficSource> sources;
};

// An address from the rack file (or a leases file) as a source: IPv4, IPv6 or MAC.
TrafficSource source_for_address(const std::string& address, const std::string& device);

// A name as rule comments carry it: letters, digits and "_.:-" kept, anything else '_'.
std::string comment_name(std::string_view name);

// `nft -f -` input that makes `inet <table>` hold exactly these outages (and deletes the table when
// there are none). Safe whether or not the table exists.
std::string nft_script(std::string_view table, const std::vector<SegmentOutage>& outages);

// One rule of the table as `nft -j list table` shows it, with what its comment says.
struct RuleCounter {
  std::string chain;    // "forward" or "input"
  std::string comment;  // as written by nft_script
  std::string segment;  // from the comment; empty when the comment is not one of ours
  std::string device;   // empty: the whole segment
  std::string mode;     // "cloud", "internet", "dns"
  std::string traffic;  // "udp/5684", "tcp/5683", "udp/53", "tcp/53", "tcp", "any"
  std::string action;   // "drop", "reject"
  std::uint64_t packets = 0;
  std::uint64_t bytes = 0;
};

struct TableListing {
  std::vector<RuleCounter> rules;
};

// Parses `nft -j list table inet <table>` output; nullopt with `error` set when it is not that.
std::optional<TableListing> parse_table_listing(std::string_view json, std::string_view table,
                                                std::string& error);
// True when `nft -j list tables` output names `inet <table>`.
bool table_listed(std::string_view json, std::string_view table, std::string& error);

// "argon-1 udp/5684 drop: 12 packets" (" to this host" for the input chain).
std::string describe_counter(const RuleCounter& rule, std::string_view interface = {});
// "12 packets to udp/5684 dropped", for an OutageEffect.
std::string describe_evidence(const RuleCounter& rule);

}  // namespace cyanrig
