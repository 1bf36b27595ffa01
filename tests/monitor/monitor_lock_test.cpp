// The monitor's turn as the rack lock, against a scenario run in another process (fork): a run that
// holds the rack turns the probe into a skip naming it, and a run that finds the monitor mid-probe
// waits for that probe, even without --lock-wait, and gets the rack as soon as it ends.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "drivers/all_backends.hpp"
#include "rig/monitor/rack_lock_turn.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;
using test::Child;
using ::testing::HasSubstr;

class MonitorLock : public ::testing::Test {
 protected:
  MonitorLock() {
    Diagnostics diags;
    auto rack = parse_rack(fmt::format("rack: lab-a\nsafe_power: off\nlock_dir: {}\n"
                                       "devices:\n"
                                       "  - name: argon-1\n"
                                       "    id: e00fce68aabbccddeeff0001\n"
                                       "    platform: argon\n"
                                       "    power: {{backend: command, on: 'true', off: 'true'}}\n",
                                       locks_.path().string()),
                           "lab-a.yaml", diags);
    if (!rack) throw std::runtime_error(diags.items().front().to_string());
    rack_ = *rack;
    probe_.name = "canary";
    probe_.devices.all = true;
    probe_.limits["connect"] = 5min;
    probe_.steps.push_back(
        Step{.action = ExpectStep{.within = LimitRef{.name = "connect"}, .from = "step_start"}});
  }

  std::vector<const RackDevice*> argon() const { return {&rack_.devices.front()}; }

  test::TempDir locks_;
  Rack rack_;
  Scenario probe_;
};

TEST_F(MonitorLock, ARunHoldingTheRackTurnsTheProbeIntoASkipThatNamesIt) {
  Child run([&] {
    static std::optional<RackLock> held;
    auto attempt = take_rack_lock(rack_, {.command = "run", .scenario = "ota_update"}, all_backends());
    held = std::move(attempt.lock);
    return held ? std::string("held") : attempt.refusal;
  });
  ASSERT_EQ(run.report(), "held");
  RackLockTurn turn(all_backends());
  const auto refused = turn.take(rack_, argon(), probe_);
  ASSERT_TRUE(refused) << "the monitor must not probe a device a run holds";
  EXPECT_THAT(*refused, HasSubstr(fmt::format("pid {}", run.pid())));
  EXPECT_THAT(*refused, HasSubstr("`run ota_update`"));
}

TEST_F(MonitorLock, ARunThatFindsTheMonitorMidProbeWaitsForItAndGetsTheRackWhenItEnds) {
  // The run starts first (a child forked later would inherit the monitor's lock) and tries the rack
  // once the monitor holds it, without --lock-wait: it is asked to wait no longer than the monitor
  // promised.
  Child run([&] {
    while (!inspect_rack_lock(rack_, all_backends()).held) std::this_thread::sleep_for(5ms);
    static RackLockAttempt attempt;  // held until the child is killed
    attempt = take_rack_lock(rack_, {.command = "run", .scenario = "ota_update"}, all_backends());
    return attempt ? std::string("took it") : attempt.refusal;
  });
  RackLockTurn turn(all_backends());
  ASSERT_FALSE(turn.take(rack_, argon(), probe_));
  EXPECT_EQ(inspect_rack_lock(rack_, all_backends()).holder->yields_within, 6min)
      << "the promise is the probe's bound (5m connect) and a minute to start and end it";
  std::optional<std::string> waiting;
  while (!(waiting = turn.wanted_by(rack_))) std::this_thread::sleep_for(10ms);
  EXPECT_THAT(*waiting, HasSubstr("`run ota_update`"));
  turn.give_back();  // the probe ends
  EXPECT_EQ(run.report(), "took it");
  const auto next = turn.take(rack_, argon(), probe_);
  ASSERT_TRUE(next) << "the next probe finds the run holding the rack";
  EXPECT_THAT(*next, HasSubstr("in use by"));
}

}  // namespace
}  // namespace cyanrig::monitor
