#include "drivers/outage/nftables/nft_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <sstream>

namespace cyanrig {
namespace {

// What one rule picks out of a source's traffic, and the label its comment and counters carry.
struct TrafficMatch {
  std::string_view traffic;  // "udp/5684"
  std::string_view nft;      // "udp dport 5684"; empty: everything
  bool tcp = false;          // rejected with a TCP reset rather than ICMP
};

constexpr TrafficMatch kCloud[] = {{"udp/5684", "udp dport 5684", false},
                                   {"tcp/5683", "tcp dport 5683", true}};
constexpr TrafficMatch kDns[] = {{"udp/53", "udp dport 53", false}, {"tcp/53", "tcp dport 53", true}};
constexpr TrafficMatch kAnyDrop[] = {{"any", "", false}};
// A reset answers TCP at once; everything else gets ICMP "administratively prohibited".
constexpr TrafficMatch kAnyReject[] = {{"tcp", "meta l4proto tcp", true}, {"any", "", false}};

std::vector<TrafficMatch> forward_matches(const OutageSpec& spec) {
  switch (spec.mode) {
    case OutageMode::cloud:
      return {std::begin(kCloud), std::end(kCloud)};
    case OutageMode::dns:
      return {std::begin(kDns), std::end(kDns)};
    case OutageMode::internet:
      if (spec.action == OutageAction::reject) return {std::begin(kAnyReject), std::end(kAnyReject)};
      return {std::begin(kAnyDrop), std::end(kAnyDrop)};
    case OutageMode::impair:
    case OutageMode::link:
      break;
  }
  return {};
}

// Traffic for the Pi itself: only name resolution (its own dnsmasq on an access point).
std::vector<TrafficMatch> input_matches(const OutageSpec& spec) {
  if (spec.mode == OutageMode::dns || spec.mode == OutageMode::internet)
    return {std::begin(kDns), std::end(kDns)};
  return {};
}

std::string_view verdict(OutageAction action, const TrafficMatch& match) {
  if (action == OutageAction::drop) return "drop";
  return match.tcp ? "reject with tcp reset" : "reject with icmpx type admin-prohibited";
}

std::string source_match(const TrafficSource& source) {
  switch (source.by) {
    case TrafficSource::By::ipv4:
      return "ip saddr " + source.address;
    case TrafficSource::By::ipv6:
      return "ip6 saddr " + source.address;
    case TrafficSource::By::mac:
      return "ether saddr " + source.address;
    case TrafficSource::By::interface:
      break;
  }
  return {};
}

std::string rule_comment(const SegmentOutage& outage, const TrafficSource& source,
                         const TrafficMatch& match) {
  return fmt::format("{} {} {} {} {}", comment_name(outage.segment),
                     source.device.empty() ? "*" : comment_name(source.device), to_string(outage.spec.mode),
                     match.traffic, to_string(outage.spec.action));
}

constexpr std::string_view kLeaseSet = "lease";
constexpr std::string_view kOwnerPrefix = "cyanrig ";
constexpr std::size_t kCommentMax = 128;  // nft's limit on a comment

// Every rule of a chain, in the order nft_script writes them: the forward chain, then input.
template <typename Each>
void for_each_rule(const SegmentOutage& outage, bool input_chain, Each each) {
  const auto matches = input_chain ? input_matches(outage.spec) : forward_matches(outage.spec);
  for (const TrafficSource& source : outage.sources) {
    for (const TrafficMatch& match : matches) each(source, match);
  }
}

void append_rules(std::string& out, const SegmentOutage& outage, bool input_chain) {
  for_each_rule(outage, input_chain, [&](const TrafficSource& source, const TrafficMatch& match) {
    std::string rule;
    const auto add = [&rule](std::string_view part) {
      if (!part.empty()) rule += fmt::format("{}{}", rule.empty() ? "" : " ", part);
    };
    add(fmt::format("meta nfproto @{}", kLeaseSet));
    if (!outage.interface.empty()) add(fmt::format("iifname \"{}\"", outage.interface));
    add(source_match(source));
    add(match.nft);
    add("counter");
    add(verdict(outage.spec.action, match));
    add(fmt::format("comment \"{}\"", rule_comment(outage, source, match)));
    out += "    " + rule + "\n";
  });
}

// nft reads "10000ms" as ten seconds.
std::string nft_time(Duration d) {
  return fmt::format(
      "{}ms", std::max<std::int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(d).count()));
}

std::string lease_elements(const Lease& lease) {
  return fmt::format("{{ ipv4 timeout {0}, ipv6 timeout {0} }}", nft_time(lease.length));
}

void append_chain(std::string& out, std::string_view hook, const std::vector<SegmentOutage>& outages) {
  out += fmt::format("  chain {} {{\n    type filter hook {} priority -10; policy accept;\n", hook, hook);
  for (const SegmentOutage& outage : outages) append_rules(out, outage, hook == "input");
  out += "  }\n";
}

std::vector<std::string> split_words(const std::string& text) {
  std::istringstream in(text);
  std::vector<std::string> words;
  for (std::string word; in >> word;) words.push_back(word);
  return words;
}

void read_comment(RuleCounter& rule) {
  const auto words = split_words(rule.comment);
  if (words.size() != 5) return;
  const bool known_mode = words[2] == "cloud" || words[2] == "internet" || words[2] == "dns";
  const bool known_action = words[4] == "drop" || words[4] == "reject";
  if (!known_mode || !known_action) return;
  rule.segment = words[0];
  rule.device = words[1] == "*" ? "" : words[1];
  rule.mode = words[2];
  rule.traffic = words[3];
  rule.action = words[4];
}

RuleCounter read_rule(const nlohmann::json& rule) {
  RuleCounter out;
  out.chain = rule.value("chain", "");
  out.comment = rule.value("comment", "");
  for (const auto& expr : rule.value("expr", nlohmann::json::array())) {
    if (!expr.is_object() || !expr.contains("counter") || !expr["counter"].is_object()) continue;
    out.packets = expr["counter"].value("packets", std::uint64_t{0});
    out.bytes = expr["counter"].value("bytes", std::uint64_t{0});
  }
  read_comment(out);
  return out;
}

// The "nftables" array of `nft -j` output, or nullptr with `error` set.
const nlohmann::json* nftables_array(const nlohmann::json& root, std::string& error) {
  if (!root.is_object() || !root.contains("nftables") || !root["nftables"].is_array()) {
    error = "nft printed JSON without an \"nftables\" list";
    return nullptr;
  }
  return &root["nftables"];
}

std::optional<nlohmann::json> parse_json(std::string_view text, std::string& error) {
  try {
    return nlohmann::json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    error = fmt::format("nft printed something that is not JSON ({})", e.what());
    return std::nullopt;
  }
}

// The lease set, when `set` is it: its comment, and how long its elements have left.
void read_lease(const nlohmann::json& set, std::string_view table, TableListing& out) {
  if (!set.is_object() || set.value("table", "") != table || set.value("name", "") != kLeaseSet) return;
  LeaseState lease{.owner = set.value("comment", "")};
  for (const auto& element : set.value("elem", nlohmann::json::array())) {
    if (!element.is_object() || !element.contains("elem") || !element["elem"].is_object()) continue;
    const Duration left = std::chrono::seconds(element["elem"].value("expires", std::int64_t{0}));
    lease.left = std::max(lease.left.value_or(Duration::zero()), left);
  }
  out.lease = std::move(lease);
}

std::string traffic_phrase(const RuleCounter& rule) {
  std::string out;
  if (rule.traffic == "any") {
    out = "of all traffic";
  } else if (rule.traffic == "tcp") {
    out = "of all tcp";
  } else {
    out = "to " + rule.traffic;
  }
  return rule.chain == "input" ? out + " for this host" : out;
}

std::string packets(std::uint64_t n) {
  return fmt::format("{} packet{}", n, n == 1 ? "" : "s");
}

// An owner text as a comment: no quotes, nothing outside printable ASCII.
std::string comment_name_keeping_spaces(std::string_view text) {
  std::string out;
  for (const char c : text) out += (c >= ' ' && c <= '~' && c != '"' && c != '\\') ? c : '_';
  return out;
}

}  // namespace

// Comments are split on spaces when read back and must not contain quotes (rack device names are
// already plain).
std::string comment_name(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '_' || c == '.' || c == ':' || c == '-';
    out += plain ? c : '_';
  }
  return out.empty() ? "_" : out;
}

TrafficSource source_for_address(const std::string& address, const std::string& device) {
  const bool mac = address.size() == 17 && address[2] == ':' && address.find('.') == std::string::npos &&
                   std::count(address.begin(), address.end(), ':') == 5;
  if (mac) return {TrafficSource::By::mac, address, device};
  if (address.find(':') != std::string::npos) return {TrafficSource::By::ipv6, address, device};
  return {TrafficSource::By::ipv4, address, device};
}

std::string lease_owner_text(const ProcessIdentity& process, std::string_view rack) {
  std::string out = std::string(kOwnerPrefix) + process.to_text() + " rack " + comment_name(rack);
  if (out.size() > kCommentMax) out.resize(kCommentMax);
  return out;
}

std::optional<ProcessIdentity> lease_owner(std::string_view comment) {
  if (!comment.starts_with(kOwnerPrefix)) return std::nullopt;
  comment.remove_prefix(kOwnerPrefix.size());
  return ProcessIdentity::parse(comment.substr(0, comment.find(" rack ")));
}

std::string lease_rack(std::string_view comment) {
  const auto at = comment.find(" rack ");
  return at == std::string_view::npos ? "" : std::string(comment.substr(at + 6));
}

std::vector<std::string> rule_comments(const SegmentOutage& outage) {
  std::vector<std::string> out;
  for (const bool input_chain : {false, true}) {
    for_each_rule(outage, input_chain, [&](const TrafficSource& source, const TrafficMatch& match) {
      out.push_back(rule_comment(outage, source, match));
    });
  }
  return out;
}

std::string renew_script(std::string_view table, const Lease& lease) {
  return fmt::format("flush set inet {0} {1}\nadd element inet {0} {1} {2}\n", table, kLeaseSet,
                     lease_elements(lease));
}

std::string nft_script(std::string_view table, const std::vector<SegmentOutage>& outages,
                       const Lease& lease) {
  // Declaring the table first makes the delete valid whether or not it exists; both, and the new
  // table, are one transaction.
  std::string out = fmt::format("table inet {} {{}}\ndelete table inet {}\n", table, table);
  if (outages.empty()) return out;
  out += fmt::format("table inet {} {{\n", table);
  out +=
      fmt::format("  set {} {{\n    type nf_proto; flags timeout; comment \"{}\";\n    elements = {}\n  }}\n",
                  kLeaseSet, comment_name_keeping_spaces(lease.owner), lease_elements(lease));
  append_chain(out, "forward", outages);
  append_chain(out, "input", outages);
  return out + "}\n";
}

std::optional<TableListing> parse_table_listing(std::string_view json, std::string_view table,
                                                std::string& error) {
  const auto root = parse_json(json, error);
  if (!root) return std::nullopt;
  const nlohmann::json* items = nftables_array(*root, error);
  if (items == nullptr) return std::nullopt;
  TableListing out;
  for (const auto& item : *items) {
    if (item.is_object() && item.contains("set")) read_lease(item["set"], table, out);
    if (!item.is_object() || !item.contains("rule")) continue;
    const auto& rule = item["rule"];
    if (rule.value("family", "") != "inet" || rule.value("table", "") != table) continue;
    out.rules.push_back(read_rule(rule));
  }
  return out;
}

bool table_listed(std::string_view json, std::string_view table, std::string& error) {
  const auto root = parse_json(json, error);
  if (!root) return false;
  const nlohmann::json* items = nftables_array(*root, error);
  if (items == nullptr) return false;
  for (const auto& item : *items) {
    if (!item.is_object() || !item.contains("table")) continue;
    const auto& t = item["table"];
    if (t.value("family", "") == "inet" && t.value("name", "") == table) return true;
  }
  return false;
}

std::string describe_counter(const RuleCounter& rule, std::string_view interface) {
  if (rule.segment.empty())
    return fmt::format("'{}' ({}): {}", rule.comment, rule.chain, packets(rule.packets));
  std::string who = rule.device;
  if (who.empty()) who = interface.empty() ? "the whole segment" : fmt::format("everything on {}", interface);
  std::string traffic = rule.traffic == "any"   ? "all traffic"
                        : rule.traffic == "tcp" ? "all tcp"
                                                : rule.traffic;
  if (rule.chain == "input") traffic += " for this host";
  return fmt::format("{} {} {}: {}", who, traffic, rule.action, packets(rule.packets));
}

std::string describe_evidence(const RuleCounter& rule) {
  return fmt::format("{} {} {}", packets(rule.packets), traffic_phrase(rule),
                     rule.action == "reject" ? "rejected" : "dropped");
}

}  // namespace cyanrig
