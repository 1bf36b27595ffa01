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
//
// Dead-man lease: every rule also matches `meta nfproto @lease`, and the set `lease` holds its two
// elements (ipv4, ipv6) only until their timeout. The rig renews them while the outage is in force
// (renew_script, every kOutageHoldPeriod); a rig that dies without lifting its outage stops renewing,
// the elements time out, and every rule stops matching: the outage lapses by itself within the
// lease's length. The set's comment names the owner (process identity and rack), so a sweep never
// removes a table whose owner still runs.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rig/capabilities/outage.hpp"
#include "rig/core/process_identity.hpp"

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

struct Lease {
  Duration length = std::chrono::seconds(10);
  std::string owner;  // lease_owner_text(): written as the lease set's comment
};

// "cyanrig pid 4242 start 918273 boot 6c0e… rack lab-a", at most 128 characters (nft's limit).
std::string lease_owner_text(const ProcessIdentity& process, std::string_view rack);
// The process a lease set's comment names; nothing for a comment that is not lease_owner_text's.
std::optional<ProcessIdentity> lease_owner(std::string_view comment);
// The rack a lease set's comment names ("" when none).
std::string lease_rack(std::string_view comment);

// An address from the rack file (or a leases file) as a source: IPv4, IPv6 or MAC.
TrafficSource source_for_address(const std::string& address, const std::string& device);

// A name as rule comments carry it: letters, digits and "_.:-" kept, anything else '_'.
std::string comment_name(std::string_view name);

// `nft -f -` input that makes `inet <table>` hold exactly these outages under a fresh lease (and
// deletes the table when there are none). Safe whether or not the table exists.
std::string nft_script(std::string_view table, const std::vector<SegmentOutage>& outages, const Lease& lease);
// `nft -f -` input that gives the lease its whole length again (one transaction: the set is never
// seen empty). Fails when the table or its set was removed.
std::string renew_script(std::string_view table, const Lease& lease);
// The comments of the rules nft_script writes for `outage`, in order: what hold() expects to find.
std::vector<std::string> rule_comments(const SegmentOutage& outage);

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

// The lease set as listed: who renews it, and whether its elements are still there.
struct LeaseState {
  std::string owner;             // the set's comment
  std::optional<Duration> left;  // until the elements time out; nothing: they have (it lapsed)
};

struct TableListing {
  std::vector<RuleCounter> rules;
  std::optional<LeaseState> lease;  // nothing: the table has no lease set (an older cyanrig's)
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
