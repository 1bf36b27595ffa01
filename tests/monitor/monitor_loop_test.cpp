// The monitor loop with a stand-in probe on the built-in rack's devices, in virtual time.
#include <gtest/gtest.h>

#include <map>

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
  std::optional<std::string> take(const Rack&, const std::vector<const RackDevice*>&,
                                  const Scenario&) override {
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
  std::vector<std::vector<std::string>> watched;  // the devices of each watch run
  std::vector<Instant> watched_at;
  // What a watch finds on a device (success when not named).
  std::map<std::string, ProbeOutcome> watch_finds;
  // When each device last started: an hour before the bench, at each probe (which power-cycles it),
  // and at the restarts it makes by itself (`restarts_itself`). Watches read it as `uptime`.
  Instant bench_start = time->now();
  std::map<std::string, Instant> booted;
  std::map<std::string, Instant> restarts_itself;

  double uptime_at(const std::string& device, Instant t) {
    Instant boot = booted.contains(device) ? booted[device] : bench_start - 1h;
    if (const auto it = restarts_itself.find(device); it != restarts_itself.end() && it->second <= t)
      boot = std::max(boot, it->second);
    return to_seconds(t - boot);
  }

  static Scenario scenario(std::string name) {
    Scenario s;
    s.name = std::move(name);
    s.devices.all = true;
    return s;
  }

  Monitor monitor(Duration duration, std::function<void()> after_probe = {},
                  std::optional<Scenario> watch = std::nullopt) {
    return Monitor(
        MonitorSettings{
            .probe = scenario("canary"), .every = 8min, .watch = std::move(watch), .duration = duration},
        rack,
        [this, after_probe](const Scenario& s, const Rack&, const std::vector<const RackDevice*>& devices,
                            std::uint64_t) {
          const bool is_watch = s.name != "canary";
          std::vector<ProbeOutcome> outcomes;
          if (is_watch) {
            watched.emplace_back();
            watched_at.push_back(time->now());
          }
          for (const RackDevice* d : devices) {
            ProbeOutcome o{.device = d->name,
                           .platform = std::string(d->platform->name),
                           .probe = s.name,
                           .result = ProbeResult::success,
                           .took = is_watch ? 5s : 30s};
            if (is_watch) {
              watched.back().push_back(d->name);
              o.uptime_seconds = uptime_at(d->name, time->now() + o.took);
              if (const auto it = watch_finds.find(d->name); it != watch_finds.end()) {
                o.result = it->second.result;
                o.reason = it->second.reason;
                o.orphaned = it->second.orphaned;
                o.online = it->second.online;
              }
            } else {
              booted[d->name] = time->now() + 5s;
              probed.push_back(d->name);
              probed_at.push_back(time->now());
            }
            outcomes.push_back(std::move(o));
          }
          if (!is_watch && after_probe) after_probe();
          return outcomes;
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

TEST(MonitorLoop, ARefusedReloadKeepsTheRackAndTheSchedule) {
  LoopBench bench;
  auto loop = bench.monitor(24h, [&] {
    if (bench.probed.size() == 3) bench.control.reload = true;
    if (bench.probed.size() == 5) bench.control.stop = true;
  });
  loop.on_reload([] { return std::optional<Rack>(); });  // the file has problems
  loop.run();
  EXPECT_EQ(bench.probed, (std::vector<std::string>{"photon-1", "photon-2", "argon-1", "argon-2", "boron-1"}))
      << "the probes go on in order, none started again early";
}

TEST(MonitorLoop, WatchesEveryDeviceTogetherOncePerWatchPeriodBetweenProbes) {
  LoopBench bench;
  const Instant start = bench.time->now();
  auto loop = bench.monitor(8min, {}, LoopBench::scenario("canary_watch"));
  EXPECT_EQ(loop.run(), 8U) << "the probes keep their schedule";
  // 8 min: a watch a minute after the last one ended (each probe and watch takes time on the clock).
  ASSERT_GE(bench.watched.size(), 6U);
  EXPECT_LE(bench.watched.size(), 8U);
  EXPECT_EQ(bench.watched.front().size(), 8U) << "one watch run looks at every device";
  EXPECT_GE(bench.watched_at.front() - start, 1min) << "the first probes see the devices first";
  for (std::size_t i = 1; i < bench.watched_at.size(); ++i)
    EXPECT_GE(bench.watched_at[i] - bench.watched_at[i - 1], 1min) << "watch " << i;
  const std::string text = bench.registry.exposition();
  EXPECT_NE(
      text.find("cyanrig_watch_success{device=\"argon-1\",platform=\"argon\",watch=\"canary_watch\"} 1\n"),
      std::string::npos)
      << text;
}

TEST(MonitorLoop, ADeviceFoundOrphanedBetweenProbesShowsAtOnceAndItsProbeStateStays) {
  LoopBench bench;
  bench.watch_finds["argon-1"] = ProbeOutcome{.result = ProbeResult::failure,
                                              .reason = "orphaned: ping timed out (HTTP 408)",
                                              .online = true,
                                              .orphaned = true};
  auto loop = bench.monitor(2min, {}, LoopBench::scenario("canary_watch"));
  loop.run();
  ASSERT_FALSE(bench.watched.empty());
  const std::string text = bench.registry.exposition();
  EXPECT_NE(
      text.find("cyanrig_watch_success{device=\"argon-1\",platform=\"argon\",watch=\"canary_watch\"} 0\n"),
      std::string::npos)
      << text;
  EXPECT_NE(text.find("cyanrig_device_orphaned{device=\"argon-1\"} 1\n"), std::string::npos);
  EXPECT_NE(
      text.find("cyanrig_watch_runs_total{device=\"argon-1\",watch=\"canary_watch\",result=\"failure\"} 1\n"),
      std::string::npos);
  EXPECT_NE(text.find("cyanrig_device_orphaned{device=\"photon-1\"} 0\n"), std::string::npos);
}

TEST(MonitorLoop, AWatchLeavesOutDevicesOnASegmentWithAnOutageInForce) {
  LoopBench bench;
  auto loop = bench.monitor(2min, {}, LoopBench::scenario("canary_watch"));
  loop.on_outage_check([](const Rack&) {
    return std::map<std::string, bool>{{"lab-wifi", true}, {"lab-cellular", false}};
  });
  loop.run();
  ASSERT_FALSE(bench.watched.empty());
  EXPECT_EQ(bench.watched.front(), (std::vector<std::string>{"boron-1", "boron-2"}));
  const std::string text = bench.registry.exposition();
  EXPECT_NE(
      text.find("cyanrig_watch_runs_total{device=\"argon-1\",watch=\"canary_watch\",result=\"skipped\"} 1\n"),
      std::string::npos)
      << text;
}

TEST(MonitorLoop, AWatchThatFailedAsAnOutageWasPutInForceIsNotCountedAgainstTheDevice) {
  LoopBench bench;
  bool outage = false;
  auto loop = bench.monitor(2min, {}, LoopBench::scenario("canary_watch"));
  loop.on_outage_check([&](const Rack&) {
    // Someone starts an outage on lab-wifi while the first watch runs (the check after it sees it).
    if (!bench.watched.empty()) outage = true;
    return std::map<std::string, bool>{{"lab-wifi", outage}, {"lab-cellular", false}};
  });
  bench.watch_finds["argon-1"] =
      ProbeOutcome{.result = ProbeResult::failure, .reason = "timeout: ping timed out (HTTP 408)"};
  bench.watch_finds["boron-1"] = bench.watch_finds["argon-1"];
  loop.run();
  ASSERT_FALSE(bench.watched.empty());
  const std::string text = bench.registry.exposition();
  EXPECT_EQ(text.find("cyanrig_watch_success{device=\"argon-1\""), std::string::npos)
      << "the outage, not argon-1, may have failed it\n"
      << text;
  EXPECT_NE(
      text.find("cyanrig_watch_runs_total{device=\"argon-1\",watch=\"canary_watch\",result=\"skipped\"} 1\n"),
      std::string::npos);
  EXPECT_NE(
      text.find("cyanrig_watch_success{device=\"boron-1\",platform=\"boron\",watch=\"canary_watch\"} 0\n"),
      std::string::npos)
      << "boron-1's segment had no outage: its failure stands";
}

TEST(MonitorLoop, AWatchFindsARestartNobodyAskedForOnceAndNotTheProbesOwn) {
  LoopBench bench;
  bench.restarts_itself["argon-1"] = bench.bench_start + 12min + 20s;  // a panic, say, after its 10 min probe
  auto loop = bench.monitor(16min, {}, LoopBench::scenario("canary_watch"));
  loop.run();
  const std::string text = bench.registry.exposition();
  EXPECT_NE(text.find("cyanrig_device_restarts_total{device=\"argon-1\"} 1\n"), std::string::npos) << text;
  // Every device was probed (power-cycled by the monitor) twice meanwhile: none of that counts.
  EXPECT_NE(text.find("cyanrig_device_restarts_total{device=\"argon-2\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("cyanrig_device_restarts_total{device=\"photon-1\"} 0\n"), std::string::npos);
}

TEST(MonitorLoop, NoWatchRunsWhenNoneIsGiven) {
  LoopBench bench;
  auto loop = bench.monitor(16min);
  loop.run();
  EXPECT_TRUE(bench.watched.empty());
  EXPECT_EQ(bench.registry.exposition().find("cyanrig_watch_success{"), std::string::npos);
}

}  // namespace
}  // namespace cyanrig::monitor
