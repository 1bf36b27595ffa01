// The monitor loop with a stand-in probe on the built-in rack's devices, in virtual time.
#include <gtest/gtest.h>

#include "drivers/all_backends.hpp"
#include "rig/monitor/monitor.hpp"
#include "rig/monitor/rack_lock_turn.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

// A scenario run that wants the rack for the monitor's first `checks` looks between probes.
class RunWaitingAtFirst final : public ProbeTurn {
 public:
  explicit RunWaitingAtFirst(int checks) : checks_(checks) {}
  std::optional<std::string> take(const Rack&, const RackDevice&, const Scenario&) override {
    return std::nullopt;
  }
  void give_back() override {}
  std::optional<std::string> wanted_by(const Rack&) const override {
    if (checks_ == 0) return std::nullopt;
    --checks_;
    return "pid 4242 (lab@pi) `run ota_update`";
  }

 private:
  mutable int checks_;
};

struct LoopBench {
  Rack rack = builtin_sim_rack();
  MetricsRegistry registry;
  MonitorControl control;
  RackLockTurn lock_turn{all_backends()};  // the built-in rack shares nothing: no lock
  ProbeTurn* turn = &lock_turn;
  std::unique_ptr<MonitorTime> time = make_virtual_monitor_time();
  std::vector<std::string> probed;
  std::vector<Instant> probed_at;

  Monitor monitor(Duration duration, std::function<void()> after_probe = {}) {
    Scenario probe;
    probe.name = "canary";
    probe.devices.all = true;
    return Monitor(
        MonitorSettings{.probe = probe, .every = 8min, .duration = duration}, rack,
        [this, after_probe](const Scenario& s, const Rack&, const RackDevice& d, std::uint64_t) {
          probed.push_back(d.name);
          probed_at.push_back(time->now());
          if (after_probe) after_probe();
          return ProbeOutcome{.device = d.name,
                              .platform = std::string(d.platform->name),
                              .probe = s.name,
                              .result = ProbeResult::success,
                              .took = 30s};
        },
        *turn, *time, registry, control);
  }
};

TEST(MonitorLoop, ProbesEveryDeviceOncePerPeriodInRackOrder) {
  LoopBench bench;
  auto loop = bench.monitor(16min);
  EXPECT_EQ(loop.run(), 16U);
  ASSERT_EQ(bench.probed.size(), 16U);
  EXPECT_EQ(bench.probed[0], "photon-1");
  EXPECT_EQ(bench.probed[7], "p2-2");
  EXPECT_EQ(bench.probed[8], "photon-1");
}

TEST(MonitorLoop, StandsBackWhileARunWantsTheRackAndProbesOnceItIsServed) {
  LoopBench bench;
  RunWaitingAtFirst run(5);
  bench.turn = &run;
  const Instant start = bench.time->now();
  auto loop = bench.monitor(8min);
  EXPECT_EQ(loop.run(), 8U) << "every device still probed in its period";
  ASSERT_FALSE(bench.probed_at.empty());
  EXPECT_EQ(bench.probed_at.front() - start, 5s) << "no probe while the run waited (a look a second)";
}

TEST(MonitorLoop, DevicesOnASegmentWithAnOutageInForceAreSkippedAndTheOutageReported) {
  LoopBench bench;
  auto loop = bench.monitor(8min);
  loop.on_outage_check([](const Rack&) {
    return std::map<std::string, bool>{{"lab-wifi", true}, {"lab-cellular", false}};
  });
  loop.run();
  EXPECT_EQ(bench.probed, (std::vector<std::string>{"boron-1", "boron-2"}));
  const std::string text = bench.registry.exposition();
  EXPECT_NE(text.find("cyanrig_outage_active{segment=\"lab-wifi\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("cyanrig_outage_active{segment=\"lab-cellular\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("cyanrig_probe_runs_total{device=\"argon-1\",probe=\"canary\",result=\"skipped\"} 1\n"),
            std::string::npos);
}

TEST(MonitorLoop, AStopRequestEndsTheLoopAfterTheProbeInProgress) {
  LoopBench bench;
  auto loop = bench.monitor(24h, [&] {
    if (bench.probed.size() == 3) bench.control.stop = true;
  });
  EXPECT_EQ(loop.run(), 3U);
}

TEST(MonitorLoop, AReloadDropsTheSeriesOfDevicesThatLeftTheRack) {
  LoopBench bench;
  Rack smaller = bench.rack;
  smaller.devices.resize(2);  // photon-1, photon-2
  auto loop = bench.monitor(24h, [&] {
    if (bench.probed.size() == 8) bench.control.reload = true;
    if (bench.probed.size() == 10) bench.control.stop = true;
  });
  loop.on_reload([&] { return std::optional<Rack>(smaller); });
  loop.run();
  EXPECT_EQ(bench.probed[8], "photon-1");
  EXPECT_EQ(bench.probed[9], "photon-2");
  const std::string text = bench.registry.exposition();
  EXPECT_EQ(text.find("argon-1"), std::string::npos) << text;
  EXPECT_NE(text.find("photon-1"), std::string::npos);
}

}  // namespace
}  // namespace cyanrig::monitor
