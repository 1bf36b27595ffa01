// The pure parts of the real outage backends: the nftables rules each mode and action needs, the
// counters read back, dnsmasq leases, the tc and ip commands and their JSON, and the parameter
// checks a rack engineer sees at file:line:col. No root, no processes.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <sstream>

#include "drivers/outage/command/command_outage.hpp"
#include "drivers/outage/common/command_queue.hpp"
#include "drivers/outage/common/dnsmasq_leases.hpp"
#include "drivers/outage/link/link_outage.hpp"
#include "drivers/outage/netem/netem_outage.hpp"
#include "drivers/outage/nftables/nft_rules.hpp"
#include "drivers/outage/register.hpp"
#include "outage_rigs.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const Lease kLease{10s, "cyanrig pid 4242 start 918273 boot 6c0e rack lab-a"};

SegmentOutage argon_outage(OutageMode mode, OutageAction action) {
  return {"lab-wifi", "", {.mode = mode, .action = action}, {source_for_address("10.0.0.2", "argon-1")}};
}

// The rule lines of a script (everything between the chain headers and the closing braces).
std::vector<std::string> rules_in(const std::string& script) {
  std::vector<std::string> out;
  std::istringstream lines(script);
  for (std::string line; std::getline(lines, line);) {
    if (line.find("counter") != std::string::npos) out.push_back(line.substr(line.find_first_not_of(' ')));
  }
  return out;
}

// ---- nftables rules --------------------------------------------------------------------------

TEST(NftOutageRules, CloudDropStopsOnlyTheTwoParticlePortsOfTheDevice) {
  EXPECT_THAT(rules_in(nft_script("cyanrig", {argon_outage(OutageMode::cloud, OutageAction::drop)}, kLease)),
              ElementsAre("meta nfproto @lease ip saddr 10.0.0.2 udp dport 5684 counter drop comment "
                          "\"lab-wifi argon-1 cloud "
                          "udp/5684 drop\"",
                          "meta nfproto @lease ip saddr 10.0.0.2 tcp dport 5683 counter drop comment "
                          "\"lab-wifi argon-1 cloud "
                          "tcp/5683 drop\""));
}

TEST(NftOutageRules, RejectAnswersTcpWithAResetAndEverythingElseWithIcmp) {
  EXPECT_THAT(
      rules_in(nft_script("cyanrig", {argon_outage(OutageMode::cloud, OutageAction::reject)}, kLease)),
      ElementsAre(HasSubstr("udp dport 5684 counter reject with icmpx type admin-prohibited"),
                  HasSubstr("tcp dport 5683 counter reject with tcp reset")));
  EXPECT_THAT(
      rules_in(nft_script("cyanrig", {argon_outage(OutageMode::internet, OutageAction::reject)}, kLease)),
      ElementsAre(HasSubstr("ip saddr 10.0.0.2 meta l4proto tcp counter reject with tcp reset"),
                  HasSubstr("ip saddr 10.0.0.2 counter reject with icmpx type admin-prohibited"),
                  HasSubstr("udp dport 53 counter reject with icmpx"),
                  HasSubstr("tcp dport 53 counter reject with tcp reset")));
}

TEST(NftOutageRules, InternetStopsEverythingForwardedAndTheHostsOwnDns) {
  const std::string script =
      nft_script("cyanrig", {argon_outage(OutageMode::internet, OutageAction::drop)}, kLease);
  const std::string forward =
      script.substr(script.find("chain forward"), script.find("chain input") - script.find("chain forward"));
  const std::string input = script.substr(script.find("chain input"));
  EXPECT_THAT(rules_in(forward),
              ElementsAre(HasSubstr(
                  "ip saddr 10.0.0.2 counter drop comment \"lab-wifi argon-1 internet any drop\"")));
  EXPECT_THAT(rules_in(input),
              ElementsAre(HasSubstr("udp dport 53 counter drop"), HasSubstr("tcp dport 53 counter drop")));
}

TEST(NftOutageRules, DnsStopsPort53BothThroughAndToTheHost) {
  const auto rules =
      rules_in(nft_script("cyanrig", {argon_outage(OutageMode::dns, OutageAction::drop)}, kLease));
  EXPECT_THAT(rules, ElementsAre(HasSubstr("udp dport 53"), HasSubstr("tcp dport 53"),
                                 HasSubstr("udp dport 53"), HasSubstr("tcp dport 53")));
}

TEST(NftOutageRules, DevicesAreMatchedByIpv4Ipv6OrMacAndTheSegmentByItsInterface) {
  SegmentOutage outage{"lab",
                       "wlan0",
                       {.mode = OutageMode::cloud},
                       {source_for_address("fd00::12", "argon-2"),
                        source_for_address("e0:4f:43:12:34:56", "p2-1"),
                        {TrafficSource::By::interface, "", ""}}};
  const auto rules = rules_in(nft_script("cyanrig", {outage}, kLease));
  ASSERT_EQ(rules.size(), 6u);
  EXPECT_THAT(rules[0], HasSubstr("@lease iifname \"wlan0\" ip6 saddr fd00::12 udp dport 5684"));
  EXPECT_THAT(rules[2], HasSubstr("iifname \"wlan0\" ether saddr e0:4f:43:12:34:56 udp dport 5684"));
  EXPECT_THAT(
      rules[4],
      HasSubstr("iifname \"wlan0\" udp dport 5684 counter drop comment \"lab * cloud udp/5684 drop\""));
}

TEST(NftOutageRules, EveryLoadReplacesTheWholeTableAndNoOutageDeletesIt) {
  EXPECT_EQ(nft_script("cyanrig", {}, kLease), "table inet cyanrig {}\ndelete table inet cyanrig\n");
  const std::string script =
      nft_script("rigtable", {argon_outage(OutageMode::cloud, OutageAction::drop)}, kLease);
  EXPECT_EQ(script.rfind("table inet rigtable {}\ndelete table inet rigtable\ntable inet rigtable {\n", 0),
            0u)
      << script;
  EXPECT_THAT(script, HasSubstr("type filter hook forward priority -10; policy accept;"));
  EXPECT_THAT(script, HasSubstr("type filter hook input priority -10; policy accept;"));
}

TEST(NftOutageRules, EveryRuleHangsOnALeaseThatNamesItsOwnerAndRenewsInOneTransaction) {
  const std::string script =
      nft_script("cyanrig", {argon_outage(OutageMode::cloud, OutageAction::drop)}, kLease);
  EXPECT_THAT(script,
              HasSubstr("  set lease {\n    type nf_proto; flags timeout; comment \"cyanrig pid 4242 start "
                        "918273 boot 6c0e rack lab-a\";\n    elements = { ipv4 timeout 10000ms, ipv6 "
                        "timeout 10000ms }\n  }\n"));
  for (const std::string& rule : rules_in(script))
    EXPECT_THAT(rule, testing::StartsWith("meta nfproto @lease "));
  EXPECT_EQ(renew_script("cyanrig", {2500ms, "x"}),
            "flush set inet cyanrig lease\nadd element inet cyanrig lease { ipv4 timeout 2500ms, ipv6 "
            "timeout 2500ms "
            "}\n");
}

TEST(NftOutageRules, RuleCommentsListWhatTheScriptWritesForAnOutageInOrder) {
  EXPECT_THAT(rule_comments(argon_outage(OutageMode::dns, OutageAction::reject)),
              ElementsAre("lab-wifi argon-1 dns udp/53 reject", "lab-wifi argon-1 dns tcp/53 reject",
                          "lab-wifi argon-1 dns udp/53 reject", "lab-wifi argon-1 dns tcp/53 reject"));
}

TEST(NftOutageRules, ALeaseOwnerIsAProcessIdentityAndARackNoLongerThanNftAllows) {
  const ProcessIdentity me = ProcessIdentity::self();
  const std::string text = lease_owner_text(me, "lab \"a\"");
  EXPECT_EQ(lease_owner(text), me);
  EXPECT_EQ(lease_rack(text), "lab__a_");
  EXPECT_FALSE(lease_owner("someone else's set"));
  EXPECT_LE(lease_owner_text(me, std::string(300, 'r')).size(), 128U);
  EXPECT_EQ(lease_owner(lease_owner_text(me, std::string(300, 'r'))), me) << "the rack is cut, not the owner";
}

TEST(NftOutageRules, CommentsKeepOnlyCharactersThatReadBack) {
  EXPECT_EQ(comment_name("lab \"wifi\" 2"), "lab__wifi__2");
  EXPECT_EQ(comment_name("argon-1.b_c"), "argon-1.b_c");
}

// What `nft -j list table inet cyanrig` printed for the rules above, counters included.
constexpr const char* kListing = R"({"nftables": [{"metainfo": {"version": "1.0.6"}},
 {"table": {"family": "inet", "name": "cyanrig", "handle": 2}},
 {"set": {"family": "inet", "name": "lease", "table": "cyanrig", "type": "nf_proto", "handle": 1,
   "comment": "cyanrig pid 4242 start 918273 boot 6c0e rack lab-a", "flags": ["timeout"],
   "elem": [{"elem": {"val": "ipv4", "timeout": 10, "expires": 7}}, {"elem": {"val": "ipv6", "timeout": 10, "expires": 8}}]}},
 {"chain": {"family": "inet", "table": "cyanrig", "name": "forward", "handle": 1}},
 {"rule": {"family": "inet", "table": "cyanrig", "chain": "forward", "handle": 3,
   "comment": "lab-wifi argon-1 cloud udp/5684 drop",
   "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "udp", "field": "dport"}}, "right": 5684}},
            {"counter": {"packets": 12, "bytes": 960}}, {"drop": null}]}},
 {"rule": {"family": "inet", "table": "cyanrig", "chain": "input", "handle": 4,
   "comment": "lab-wifi * internet udp/53 reject", "expr": [{"counter": {"packets": 1, "bytes": 70}}]}},
 {"rule": {"family": "inet", "table": "cyanrig", "chain": "forward", "handle": 5, "comment": "someone else",
   "expr": [{"counter": {"packets": 0, "bytes": 0}}]}},
 {"rule": {"family": "inet", "table": "other", "chain": "forward", "handle": 6, "expr": []}}]})";

TEST(NftOutageRules, CountersAreReadBackWithTheDeviceAndTrafficTheirCommentNames) {
  std::string error;
  const auto listing = parse_table_listing(kListing, "cyanrig", error);
  ASSERT_TRUE(listing) << error;
  ASSERT_EQ(listing->rules.size(), 3u);
  const RuleCounter& udp = listing->rules[0];
  EXPECT_EQ(udp.segment, "lab-wifi");
  EXPECT_EQ(udp.device, "argon-1");
  EXPECT_EQ(udp.packets, 12u);
  EXPECT_EQ(describe_counter(udp), "argon-1 udp/5684 drop: 12 packets");
  EXPECT_EQ(describe_evidence(udp), "12 packets to udp/5684 dropped");
  EXPECT_EQ(describe_counter(listing->rules[1], "wlan0"),
            "everything on wlan0 udp/53 for this host reject: 1 packet");
  EXPECT_EQ(describe_evidence(listing->rules[1]), "1 packet to udp/53 for this host rejected");
  EXPECT_EQ(listing->rules[2].segment, "");
  EXPECT_EQ(describe_counter(listing->rules[2]), "'someone else' (forward): 0 packets");
  ASSERT_TRUE(listing->lease);
  EXPECT_EQ(listing->lease->owner, "cyanrig pid 4242 start 918273 boot 6c0e rack lab-a");
  EXPECT_EQ(listing->lease->left, std::optional<Duration>(8s));
}

TEST(NftOutageRules, ALeaseWithoutElementsHasLapsed) {
  std::string error;
  const auto listing = parse_table_listing(
      R"({"nftables": [{"set": {"family": "inet", "name": "lease", "table": "cyanrig", "comment": "c"}}]})",
      "cyanrig", error);
  ASSERT_TRUE(listing && listing->lease) << error;
  EXPECT_FALSE(listing->lease->left);
  EXPECT_FALSE(parse_table_listing(R"({"nftables": []})", "cyanrig", error)->lease) << "no set: no lease";
}

TEST(NftOutageRules, ListingsThatAreNotNftJsonAreErrorsNotEmptyTables) {
  std::string error;
  EXPECT_FALSE(parse_table_listing("Error: syntax error", "cyanrig", error));
  EXPECT_THAT(error, HasSubstr("not JSON"));
  EXPECT_FALSE(parse_table_listing("[1, 2]", "cyanrig", error));
  EXPECT_THAT(error, HasSubstr("\"nftables\""));
  error.clear();
  EXPECT_TRUE(table_listed(kListing, "cyanrig", error));
  EXPECT_FALSE(table_listed(kListing, "rigtable", error));
  EXPECT_EQ(error, "");
}

TEST(NftOutageRules, TheLeaseMustLeaveRoomForTwoRenewals) {
  EXPECT_THAT(validation_errors("{backend: nftables, lease: 1s}"),
              ElementsAre(HasSubstr("'lease' must be from 2s to 10m, found 1s")));
  EXPECT_THAT(validation_errors("{backend: nftables, lease: 30s}"), IsEmpty());
}

// ---- dnsmasq leases --------------------------------------------------------------------------

TEST(OutageLeases, MacsMapToTheirNewestIpv4Lease) {
  const auto leases = ipv4_leases_by_mac(
      "1700000000 E0:4F:43:12:34:56 192.168.4.20 argon-1 01:e0:4f:43:12:34:56\n"
      "1700000100 e0:4f:43:12:34:56 192.168.4.21 argon-1 *\n"
      "1699999999 e0:4f:43:12:34:56 192.168.4.19 argon-1 *\n"
      "0 aa:bb:cc:dd:ee:ff 192.168.4.30 p2-1 *\n"
      "duid 00:01:00:01:2c:1f:aa:bb:cc:dd:ee:ff\n"
      "1700000000 12345678 fd00::5 boron-1 00:01\n"
      "garbage\n");
  EXPECT_EQ(leases.size(), 2u);
  EXPECT_EQ(leases.at("e0:4f:43:12:34:56"), "192.168.4.21");
  EXPECT_EQ(leases.at("aa:bb:cc:dd:ee:ff"), "192.168.4.30");
}

// ---- tc and ip -------------------------------------------------------------------------------

TEST(NetemOutage, ImpairmentBecomesOneTcReplaceAtTheRoot) {
  EXPECT_THAT(netem_command("wlan0", {.loss_percent = 20, .delay = 200ms, .jitter = 50ms}),
              ElementsAre("tc", "qdisc", "replace", "dev", "wlan0", "root", "netem", "loss", "20%", "delay",
                          "200ms", "50ms"));
  EXPECT_THAT(netem_command("eth1", {.loss_percent = 0.5}),
              ElementsAre("tc", "qdisc", "replace", "dev", "eth1", "root", "netem", "loss", "0.5%"));
  EXPECT_THAT(netem_command("eth1", {.delay = 1500us}),
              ElementsAre("tc", "qdisc", "replace", "dev", "eth1", "root", "netem", "delay", "1500us"));
}

TEST(NetemOutage, TheRootQdiscIsReadFromTcJson) {
  std::string error;
  const auto netem = parse_root_qdisc(
      R"([{"kind":"netem","handle":"8001:","root":true,"options":{"limit":1000},"bytes":900,"packets":10,"drops":2},
          {"kind":"pfifo","handle":"1:","parent":"8001:1"}])",
      error);
  ASSERT_TRUE(netem) << error;
  EXPECT_EQ(netem->kind, "netem");
  EXPECT_EQ(netem->packets, 10u);
  EXPECT_EQ(netem->drops, 2u);
  EXPECT_EQ(parse_root_qdisc(R"([{"kind":"noqueue","handle":"0:","root":true}])", error)->kind, "noqueue");
  EXPECT_FALSE(parse_root_qdisc("Cannot find device \"wlan9\"", error));
}

TEST(LinkOutage, AdministrativeStateIsTheUpFlag) {
  std::string error;
  EXPECT_EQ(parse_link_up(R"([{"ifname":"wlan0","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"]}])", error),
            true);
  EXPECT_EQ(
      parse_link_up(R"([{"ifname":"wlan0","flags":["BROADCAST","MULTICAST"],"operstate":"DOWN"}])", error),
      false);
  EXPECT_FALSE(parse_link_up("[]", error));
}

TEST(OutageTools, ArgumentsAreQuotedForTheShellAndRunInTheNamespace) {
  EXPECT_EQ(shell_quote("wlan0"), "wlan0");
  EXPECT_EQ(shell_quote("it's here"), "'it'\\''s here'");
  EXPECT_EQ(shell_quote(""), "''");
  EXPECT_EQ(tool_command_line("", {"nft", "-f", "-"}), "nft -f -");
  EXPECT_EQ(tool_command_line("lab rig", {"tc", "qdisc"}), "ip netns exec 'lab rig' tc qdisc");
}

TEST(CommandOutageEnvironment, CommandsSeeTheSegmentAndTheOutage) {
  const OutageSpec impair{.mode = OutageMode::impair,
                          .impair = {.loss_percent = 20, .delay = 200ms, .jitter = 50ms}};
  EXPECT_THAT(outage_environment("lab", &impair),
              ElementsAre(std::pair<std::string, std::string>{"CYANRIG_SEGMENT", "lab"},
                          std::pair<std::string, std::string>{"CYANRIG_OUTAGE_MODE", "impair"},
                          std::pair<std::string, std::string>{"CYANRIG_OUTAGE_ACTION", "drop"},
                          std::pair<std::string, std::string>{"CYANRIG_IMPAIR_LOSS_PERCENT", "20"},
                          std::pair<std::string, std::string>{"CYANRIG_IMPAIR_DELAY_MS", "200"},
                          std::pair<std::string, std::string>{"CYANRIG_IMPAIR_JITTER_MS", "50"}));
  EXPECT_THAT(outage_environment("lab", nullptr),
              ElementsAre(std::pair<std::string, std::string>{"CYANRIG_SEGMENT", "lab"}));
}

// ---- parameters and modes --------------------------------------------------------------------

struct ParamCase {
  const char* yaml;
  const char* error;  // "" for none
};

void PrintTo(const ParamCase& c, std::ostream* out) {
  *out << c.yaml;
}

class OutageParams : public ::testing::TestWithParam<ParamCase> {};

TEST_P(OutageParams, MistakesAreReportedAtTheirPosition) {
  const auto errors = validation_errors(GetParam().yaml);
  if (std::string_view(GetParam().error).empty()) {
    EXPECT_THAT(errors, IsEmpty());
  } else {
    EXPECT_THAT(errors, ElementsAre(HasSubstr(GetParam().error)));
  }
}

INSTANTIATE_TEST_SUITE_P(
    EveryBackend, OutageParams,
    ::testing::Values(
        ParamCase{"{backend: nftables}", ""},
        ParamCase{"{backend: nftables, interface: wlan0, leases: /var/lib/misc/dnsmasq.leases, table: rig2, "
                  "netns: lab}",
                  ""},
        ParamCase{"{backend: nftables, table: 'my table'}", "rack.yaml:1:28: 'table' must be a letter"},
        ParamCase{"{backend: nftables, interface: averyveryverylongname}",
                  "rack.yaml:1:32: 'interface' must be"},
        ParamCase{"{backend: nftables, netns: 'a/b'}", "'netns' must name a network namespace"},
        ParamCase{"{backend: nftables, intreface: wlan0}", "unknown field 'intreface'"},
        ParamCase{"{backend: netem}", "'interface'"}, ParamCase{"{backend: netem, interface: wlan0}", ""},
        ParamCase{"{backend: link}", "'interface'"},
        ParamCase{"{backend: link, interface: eth1, netns: lab}", ""},
        ParamCase{"{backend: command, do: 'true'}", "'undo'"},
        ParamCase{"{backend: command, do: 'a', undo: 'b', timeout: 2m}",
                  "'timeout' must be more than 0s and at most 30s"},
        ParamCase{"{backend: command, do: 'a', undo: 'b', modes: [internet, dsn]}",
                  "unknown outage mode 'dsn'"},
        ParamCase{"{backend: command, do: 'a', undo: ' '}", "'undo' must be a shell command"},
        ParamCase{"{backend: gpio, chip: gpiochip0, line: 22, active_low: true, wiring: nc}", ""},
        ParamCase{"{backend: gpio, line: 99999}", "'line' offset must be 0 to 1023"}));

TEST(OutageModes, EachBackendDeclaresTheModesItPerforms) {
  EXPECT_THAT(modes_of("{backend: nftables}"),
              ElementsAre(OutageMode::cloud, OutageMode::internet, OutageMode::dns));
  EXPECT_THAT(modes_of("{backend: netem, interface: wlan0}"), ElementsAre(OutageMode::impair));
  EXPECT_THAT(modes_of("{backend: link, interface: wlan0}"), ElementsAre(OutageMode::link));
  EXPECT_THAT(modes_of("{backend: command, do: a, undo: b}"), ElementsAre(OutageMode::internet));
  EXPECT_THAT(modes_of("{backend: command, do: a, undo: b, modes: [cloud, impair]}"),
              ElementsAre(OutageMode::cloud, OutageMode::impair));
  EXPECT_THAT(modes_of("{backend: gpio, line: 22}"), ElementsAre(OutageMode::link, OutageMode::internet));
}

TEST(NftablesOutage, AnOutageThatCouldMatchNothingIsRefused) {
  OutageRig empty("{backend: nftables}", {});
  EXPECT_EQ(
      empty.start({.mode = OutageMode::cloud}),
      "segment lab has no devices and the nftables backend no 'interface': the outage would match nothing");
  EXPECT_FALSE(empty.outage().active());
  try {
    OutageRig unaddressed("{backend: nftables}", {{"argon-1", "", ""}});
    ADD_FAILURE() << "built rules for a device without an address";
  } catch (const std::runtime_error& e) {
    EXPECT_STREQ(e.what(),
                 "segment lab: device argon-1 has neither 'ip' nor 'mac', and the nftables backend has no "
                 "'interface' to match the whole segment by");
  }
}

}  // namespace
}  // namespace cyanrig::outage_testing
