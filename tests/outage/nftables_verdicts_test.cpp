// The verdict matrix's outage rows through the real nftables backend, in namespaces made for the test
// (netns_lab.hpp): the engine runs a scenario on a rack whose segment's outages are real nft rules in
// the lab's rig namespace, and whose device is simulated but reaches the cloud through the lab. Its
// segment is wired to a real UDP socket at the device's address in the device namespace (CloudPath):
// the device loses the cloud exactly while real datagrams from that address to the lab cloud's UDP
// 5684 go unanswered, and those are the packets the rule's counters count. So each verdict rests on
// what the kernel did with real packets: the rule matched them or not, and was still there or not.
//
// The engine runs in the test's process, on the steady clock (the rack is no longer all-simulated),
// rather than `cyanrig run`: a simulated device in the binary has no way into the lab's namespaces.
// The table these rows print (verdict-matrix-nftables.md) is in docs/results.md.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "drivers/all_backends.hpp"
#include "drivers/sim/sim_world.hpp"
#include "netns_lab.hpp"
#include "rig/capabilities/outage.hpp"
#include "rig/event_names.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/engine/run_support.hpp"
#include "tests/engine/verdict_row.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// A simulated segment whose cloud is reached through the lab. Every kPingEvery a datagram goes from
// the device's real address to the lab cloud's UDP 5684 (where an Argon's cloud traffic goes), and
// the segment is given the cloud outage the answers show: none while they come back, a rejecting one
// from the first ICMP error until they come back (the kernel sends those errors at most about once a
// second to a host, so silence between them is the same rule), a dropping one after two unanswered
// in a row otherwise. Runs on the run's loop (the socket is never waited on); lives in the run's
// BackendContext.
class CloudPath {
 public:
  static constexpr Duration kPingEvery = 250ms;

  CloudPath(std::shared_ptr<sim::SimWorld> world, sim::NetworkSegment& segment, int socket)
      : world_(std::move(world)), segment_(segment), socket_(socket) {
    ping();
  }
  ~CloudPath() { ::close(socket_); }
  CloudPath(const CloudPath&) = delete;
  CloudPath& operator=(const CloudPath&) = delete;

 private:
  void ping() {
    // The answer to the previous datagram has had kPingEvery: on veths it takes microseconds.
    switch (answer_waiting(socket_)) {
      case Reply::answered:
        unanswered_ = 0;
        blocked(std::nullopt);
        break;
      case Reply::refused:
        blocked(OutageAction::reject);
        break;
      case Reply::silent:
        if (++unanswered_ >= 2 && blocked_ != OutageAction::reject) blocked(OutageAction::drop);
        break;
    }
    if (::send(socket_, "ping", 4, MSG_DONTWAIT) < 0 && errno != EAGAIN) blocked(OutageAction::reject);
    timer_ = world_->clock().after(kPingEvery, [this] { ping(); });
  }

  // What the devices on the segment meet from now on (their watchers hear only of changes).
  void blocked(std::optional<OutageAction> action) {
    if (action == blocked_) return;
    blocked_ = action;
    if (action) {
      segment_.start_outage({.mode = OutageMode::cloud, .action = *action});
    } else {
      segment_.stop_outage();
    }
  }

  std::shared_ptr<sim::SimWorld> world_;
  sim::NetworkSegment& segment_;
  int socket_;
  int unanswered_ = 0;
  std::optional<OutageAction> blocked_;
  Timer timer_;
};

// Every backend as the binary has them, but the nftables backend also wires its segment's simulated
// devices to the lab: through a CloudPath from kArgonIp, the address argon-1 really has, whatever
// the rack file says it has.
BackendRegistry wired_to(const NetnsLab& lab) {
  BackendRegistry registry = all_backends();
  BackendFactory<OutageSwitch> nftables = *registry.find<OutageSwitch>("nftables");
  nftables.create = [create = nftables.create, &lab](const BackendSite& site, BackendContext& ctx) {
    std::unique_ptr<OutageSwitch> outage = create(site, ctx);
    ctx.shared<CloudPath>([&] {
      std::shared_ptr<sim::SimWorld> world = sim::SimWorld::of(ctx);
      sim::NetworkSegment& segment = *world->find_segment(site.segment->name);
      const int socket = lab.udp_socket({Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 5684});
      return std::make_shared<CloudPath>(std::move(world), segment, socket);
    });
    return outage;
  };
  registry.add("nftables", nftables);
  return registry;
}

// Once connected (the rack's safe power is on, so the device boots from the health check on), the
// device reboots while the cloud is cut (rejected, so its handshakes fail at once instead of after
// DTLS timeouts: the first ~7 s after power returns) and must connect again once the outage lifts.
const char* const kScenario = R"(scenario: nft_reboot_during_outage
devices: all
steps:
  - expect: {event: cloud_connected, within: 1m, from: repeat_start}
  - outage: start
    mode: cloud
    action: reject
  - power: cycle
    off_for: 1s
  - wait: 9s
  - outage: stop
  - mark: outage_end
  - expect: {led: breathing_cyan, within: 1m, from: outage_end}
)";

struct Row {
  std::string id;                       // the test's name
  std::string name;                     // what is wrong
  std::string cause;                    // "lab", or "-" when nothing is
  std::string rack_ip;                  // where the rack file says argon-1 is (it is at kArgonIp)
  std::optional<Duration> flush_after;  // `nft flush ruleset` in the rig namespace, this long into the outage
  int exit_code;
  std::string cls;   // argon-1's class
  std::string kind;  // of its first failure
  // What else the run's timeline must show for the row to mean what it says.
  std::function<void(const test::Outcome&)> also;
};

void PrintTo(const Row& row, std::ostream* os) {
  *os << row.name;
}

// The `outage` events of the run named `name` for `device`.
std::vector<Event> outage_events(const test::Outcome& outcome, std::string_view name,
                                 const std::string& device = "argon-1") {
  std::vector<Event> out;
  for (const Event& e : outcome.events) {
    if (e.kind == EventKind::outage && e.name == name && e.device == device) out.push_back(e);
  }
  return out;
}

Instant time_of(const test::Outcome& outcome, EventKind kind, std::string_view name) {
  for (const Event& e : outcome.events) {
    if (e.kind == kind && e.name == name) return e.t;
  }
  ADD_FAILURE() << "no " << name << " event";
  return {};
}

// The rule's counters proved the outage (not only the device's reports), the device met it (its
// handshake was refused while it was in force), and it was back on the cloud after it.
void proven_by_counters_and_the_device_came_back(const test::Outcome& outcome) {
  const auto effective = outage_events(outcome, ev::outage::kEffective);
  ASSERT_EQ(effective.size(), 1U);
  EXPECT_THAT(effective[0].data.value("evidence", ""), HasSubstr("to udp/5684 rejected"));
  const Instant start = time_of(outcome, EventKind::outage, ev::outage::kStart);
  const Instant stop = time_of(outcome, EventKind::outage, ev::outage::kStop);
  bool refused = false;
  bool back = false;
  for (const Event& e : outcome.events) {
    if (e.device != "argon-1") continue;
    refused = refused ||
              (e.kind == EventKind::devos && e.name == "cloud_handshake_failed" && e.t > start && e.t < stop);
    back = back || (e.kind == EventKind::led && e.name == "breathing_cyan" && e.t > stop);
  }
  EXPECT_TRUE(refused) << "the device never met the outage";
  EXPECT_TRUE(back);
}

// Nothing proved the rule bit, though it was loaded: the address in it is not the device's.
void never_proven(const test::Outcome& outcome) {
  EXPECT_TRUE(outage_events(outcome, ev::outage::kEffective).empty());
  EXPECT_THAT(outage_events(outcome, ev::outage::kError, ""), testing::IsEmpty()) << "the rules never loaded";
  const auto unproven = outage_events(outcome, ev::outage::kUnproven);
  ASSERT_EQ(unproven.size(), 1U);
  EXPECT_THAT(unproven[0].data.value("message", ""), HasSubstr("without any sign that it reached argon-1"));
}

// The lost row's `nft flush ruleset`, this long into the outage.
constexpr Duration kFlushAfter = 2s;

void lost(const test::Outcome& outcome) {
  const auto lost_events = outage_events(outcome, ev::outage::kLost, "");
  ASSERT_EQ(lost_events.size(), 1U);
  EXPECT_THAT(lost_events[0].data.value("message", ""), HasSubstr("was removed from outside"));
  // Noticed within a hold period (and an nft listing) of the flush, not when the outage was due to end.
  const Instant start = time_of(outcome, EventKind::outage, ev::outage::kStart);
  EXPECT_LT(lost_events[0].t - start, kFlushAfter + kOutageHoldPeriod + 1s);
}

std::vector<Row> rows() {
  return {
      Row{.id = "ProvenOutagePasses",
          .name = "real nftables: outage proven by the rule's counters, the device reconnects after it",
          .cause = "-",
          .rack_ip = NetnsLab::kArgonIp,
          .exit_code = 0,
          .cls = "pass",
          .kind = "",
          .also = proven_by_counters_and_the_device_came_back},
      Row{.id = "RuleMissingTheDeviceIsUnproven",
          .name = "real nftables: rule never matches the device (the rack gives a wrong address)",
          .cause = "lab",
          .rack_ip = "10.77.1.99",
          .exit_code = 3,
          .cls = "infrastructure",
          .kind = "outage_unproven",
          .also = never_proven},
      Row{.id = "RulesetFlushedFromOutsideIsLost",
          .name = "real nftables: `nft flush ruleset` from outside 2 s into the outage",
          .cause = "lab",
          .rack_ip = NetnsLab::kArgonIp,
          .flush_after = kFlushAfter,
          .exit_code = 3,
          .cls = "infrastructure",
          .kind = "outage_lost",
          .also = lost},
  };
}

class NftablesVerdicts : public ::testing::TestWithParam<Row> {
 public:
  static std::vector<std::string>& table() {
    static std::vector<std::string> lines;
    return lines;
  }
  static void TearDownTestSuite() {
    if (!table().empty()) test::write_verdict_table("verdict-matrix-nftables.md", table());
  }

 protected:
  void SetUp() override {
    std::string problem;
    lab_ = NetnsLab::create(problem);
    if (!lab_) GTEST_SKIP() << problem;
  }
  void TearDown() override {
    stop_ = true;
    if (flusher_.joinable()) flusher_.join();
  }

  // argon-1 (simulated) at `ip` on segment lab, whose outages are real nft rules in the lab.
  Rack rack(const std::string& ip) const {
    const std::string text = fmt::format(R"(rack: nft-lab
safe_power: on
segments:
  - name: lab
    outage: {{backend: nftables, netns: {}}}
cloud: {{backend: sim}}
defaults: {{power: {{backend: sim}}, serial: {{backend: sim}}, led: {{backend: sim}}}}
devices:
  - {{name: argon-1, id: e00fce68a1b2c3d4e5f60718, platform: argon, segment: lab, ip: {}}}
)",
                                         lab_->rig(), ip);
    Diagnostics diags;
    auto r = parse_rack(text, "nft-lab.yaml", diags);
    if (r) validate_rack_backends(*r, all_backends(), diags);
    EXPECT_TRUE(diags.empty()) << (diags.empty() ? "" : diags.items().front().to_string());
    return r.value();
  }

  // Flushes the rig namespace's whole ruleset `after` into the outage, from another thread, as
  // someone restarting the lab's firewall would.
  void flush_ruleset(Duration after) {
    flusher_ = std::thread([this, after] {
      while (!outage_started_ && !stop_) std::this_thread::sleep_for(20ms);
      std::this_thread::sleep_for(after);
      if (!stop_) lab_->in_rig("nft flush ruleset");
    });
  }

  std::unique_ptr<NetnsLab> lab_;
  std::thread flusher_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> outage_started_{false};
};

TEST_P(NftablesVerdicts, NamesTheTrueCause) {
  const Row& row = GetParam();
  if (row.flush_after) flush_ruleset(*row.flush_after);
  const BackendRegistry registry = wired_to(*lab_);
  test::TempDir results("cyanrig-nft-verdicts");
  RunOptions options;
  options.results_root = results.path();
  options.handle_signals = false;
  test::Outcome outcome;
  options.observe = [&](Timeline& timeline, const Scenario&) {
    timeline.subscribe([&](const Event& e) {
      outcome.events.push_back(e);
      if (e.kind == EventKind::outage && e.name == ev::outage::kStart) outage_started_ = true;
    });
  };
  outcome.report = run_scenario(test::scenario_from_text(kScenario), rack(row.rack_ip), registry, options);
  stop_ = true;
  const RunResult& r = outcome.report.result;
  EXPECT_EQ(static_cast<int>(r.exit_code()), row.exit_code) << outcome.failures();
  const test::DeviceVerdicts verdicts = test::device_verdicts(outcome.report, {"argon-1"});
  const test::DeviceVerdict& argon = verdicts.front().second;
  EXPECT_EQ(argon.cls, row.cls) << outcome.failures();
  EXPECT_EQ(argon.kind, row.kind);
  EXPECT_EQ(argon.junit, test::junit_element_for(row.cls));
  row.also(outcome);
  EXPECT_FALSE(lab_->table_exists()) << "the run left its table behind";
  table().push_back(test::verdict_table_line(row.name, row.cause, static_cast<int>(r.exit_code()), verdicts));
}

INSTANTIATE_TEST_SUITE_P(RealNftables, NftablesVerdicts, ::testing::ValuesIn(rows()),
                         [](const ::testing::TestParamInfo<Row>& row_info) { return row_info.param.id; });

}  // namespace
}  // namespace cyanrig::outage_testing
