// The rack lock through the library, with real holders: each holder is a child process (fork), so
// flock behaves exactly as between two cyanrig commands. Where the lock lives, and yielding.
#include "rig/lock/rack_lock.hpp"

#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <thread>

#include "drivers/all_backends.hpp"
#include "rig/rack/rack_file.hpp"
#include "tests/support/child_process.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;
using test::Child;
using test::TempDir;
using ::testing::HasSubstr;

Rack lab_rack(const std::filesystem::path& lock_dir) {
  Diagnostics diags;
  auto rack = parse_rack(fmt::format("rack: lab-a\nsafe_power: off\n"
                                     "lock_dir: {}\n"
                                     "devices:\n"
                                     "  - name: argon-1\n"
                                     "    id: e00fce68aabbccddeeff0001\n"
                                     "    platform: argon\n"
                                     "    power: {{backend: command, on: 'true', off: 'true'}}\n",
                                     lock_dir.string()),
                         "lab-a.yaml", diags);
  if (!rack) throw std::runtime_error(diags.items().front().to_string());
  return *rack;
}

class RackLockTest : public ::testing::Test {
 protected:
  TempDir dir_{"cyanrig-lock-test"};
  std::filesystem::path lock_dir_ = dir_.path() / "locks";
  Rack rack_ = lab_rack(lock_dir_);
};

TEST_F(RackLockTest, ARackOfInProcessSimBackendsTakesNoLock) {
  Rack sim = builtin_sim_rack();
  sim.lock_dir = lock_dir_.string();
  const RackLockAttempt attempt = take_rack_lock(sim, {.command = "run"}, all_backends());
  ASSERT_TRUE(attempt) << attempt.refusal;
  EXPECT_FALSE(attempt.lock->held());
  EXPECT_FALSE(std::filesystem::exists(lock_dir_)) << "nothing is written for a rack that shares nothing";
  EXPECT_TRUE(inspect_rack_lock(sim, all_backends()).shares_nothing);
}

TEST_F(RackLockTest, TheFolderAndFileAreOpenToEveryUserOfTheRack) {
  ::umask(077);  // a careful user's umask must not lock the next user out
  const RackLockAttempt attempt = take_rack_lock(rack_, {.command = "power safe"}, all_backends());
  ::umask(022);
  ASSERT_TRUE(attempt) << attempt.refusal;
  EXPECT_EQ(attempt.lock->path(), lock_dir_ / "lab-a.lock");
  struct stat folder {};
  struct stat file {};
  ASSERT_EQ(::stat(lock_dir_.c_str(), &folder), 0);
  ASSERT_EQ(::stat(attempt.lock->path().c_str(), &file), 0);
  EXPECT_EQ(folder.st_mode & 07777, 01777U);
  EXPECT_EQ(file.st_mode & 0777, 0666U);
}

TEST_F(RackLockTest, WhereTheLockLivesRackFileThenEnvironmentThenRunLock) {
  EXPECT_EQ(rack_lock_path(rack_), lock_dir_ / "lab-a.lock");
  Rack unset = rack_;
  unset.lock_dir.clear();
  unset.name = "lab b/../x";  // never a path out of the folder
  ::setenv(kLockDirVariable, "/tmp/elsewhere", 1);
  EXPECT_EQ(rack_lock_path(unset), std::filesystem::path("/tmp/elsewhere/lab_b_.._x.lock"));
  ::unsetenv(kLockDirVariable);
  EXPECT_EQ(rack_lock_path(unset), std::filesystem::path("/run/lock/cyanrig/lab_b_.._x.lock"));
}

TEST_F(RackLockTest, ASecondTakerIsRefusedAtOnceNamingTheHolderAndTheKernelReleasesADeadOne) {
  auto holder = std::make_unique<Child>([&] {
    auto attempt =
        take_rack_lock(rack_, {.command = "run", .scenario = "reboot_during_outage"}, all_backends());
    static std::optional<RackLock> kept;  // held until the child is killed
    kept = std::move(attempt.lock);
    return attempt.refusal.empty() ? std::string("held") : attempt.refusal;
  });
  ASSERT_EQ(holder->report(), "held");
  const auto started = std::chrono::steady_clock::now();
  const RackLockAttempt refused = take_rack_lock(rack_, {.command = "outage clear"}, all_backends());
  EXPECT_LT(std::chrono::steady_clock::now() - started, 1s) << "refused at once, not after a wait";
  ASSERT_FALSE(refused);
  EXPECT_THAT(refused.refusal, HasSubstr(fmt::format("rack 'lab-a' is in use by pid {} (", holder->pid())));
  EXPECT_THAT(refused.refusal, HasSubstr("`run reboot_during_outage` since 20"));
  EXPECT_THAT(refused.refusal, HasSubstr("wait for it with --lock-wait DURATION"));

  const RackLockState state = inspect_rack_lock(rack_, all_backends());
  EXPECT_TRUE(state.held);
  EXPECT_TRUE(state.holder_alive);
  ASSERT_TRUE(state.holder);
  EXPECT_EQ(state.holder->process.pid, holder->pid());

  const pid_t dead = holder->pid();
  holder.reset();  // SIGKILL: no chance to clean anything up
  const RackLockAttempt after = take_rack_lock(rack_, {.command = "outage clear"}, all_backends());
  ASSERT_TRUE(after) << after.refusal;
  EXPECT_TRUE(after.lock->held());
  ASSERT_TRUE(inspect_rack_lock(rack_, all_backends()).holder);
  EXPECT_EQ(inspect_rack_lock(rack_, all_backends()).holder->command, "outage clear")
      << "the new holder wrote";
  EXPECT_NE(inspect_rack_lock(rack_, all_backends()).holder->process.pid, dead);
}

// `cyanrig rack status` (or any command reading who holds the rack) takes a shared lock for a moment
// to read the holder's details. A run starting just then must not be refused "in use".
TEST_F(RackLockTest, SomeoneLookingAtTheLockDoesNotTurnATakerAway) {
  Child looker([&] {
    for (;;) (void)inspect_rack_lock(rack_, all_backends());
    return std::string();
  });
  for (int i = 0; i < 200; ++i) {
    RackLockAttempt attempt = take_rack_lock(rack_, {.command = "run"}, all_backends());
    ASSERT_TRUE(attempt) << "take " << i << ": " << attempt.refusal;
    attempt.lock->release();
  }
}

TEST_F(RackLockTest, AWaitingTakerGetsTheLockOnceTheHolderLetsGo) {
  Child holder([&] {
    auto attempt = take_rack_lock(rack_, {.command = "power cycle argon-1"}, all_backends());
    std::this_thread::sleep_for(700ms);
    attempt.lock->release();
    return std::string("released");
  });
  // The holder has the lock once the file names it.
  while (!inspect_rack_lock(rack_, all_backends()).held) std::this_thread::sleep_for(5ms);
  std::string told;
  const RackLockAttempt attempt = take_rack_lock(
      rack_, {.command = "run", .wait = 10s, .on_wait = [&](const std::string& m) { told = m; }},
      all_backends());
  ASSERT_TRUE(attempt) << attempt.refusal;
  EXPECT_THAT(told, HasSubstr("rack 'lab-a' is in use by pid"));
  EXPECT_THAT(told, HasSubstr("; waiting up to 10s"));
  EXPECT_EQ(holder.report(), "released");
}

TEST_F(RackLockTest, AHolderThatYieldsIsAskedAndLetsGoEvenToATakerThatWouldNotWait) {
  Child monitor([&] {
    auto attempt = take_rack_lock(rack_, {.command = "monitor", .yields_within = 20s}, all_backends());
    if (!attempt) return attempt.refusal;
    while (!attempt.lock->yield_requested()) std::this_thread::sleep_for(20ms);
    const std::string asker = attempt.lock->yield_request()->command;
    // While the run waits, a yielding taker holds back, even with the lock in hand.
    const RackLockAttempt again =
        take_rack_lock(rack_, {.command = "monitor", .yields_within = 20s}, all_backends());
    attempt.lock->release();
    return asker + " | " + again.refusal;
  });
  while (!inspect_rack_lock(rack_, all_backends()).held) std::this_thread::sleep_for(5ms);
  const RackLockAttempt run =
      take_rack_lock(rack_, {.command = "run", .scenario = "ota_update"}, all_backends());
  ASSERT_TRUE(run) << run.refusal;
  const std::string report = monitor.report();
  EXPECT_THAT(report, HasSubstr("run | rack 'lab-a' is wanted by pid"));
  EXPECT_THAT(report, HasSubstr("`run ota_update`"));
  EXPECT_FALSE(inspect_rack_lock(rack_, all_backends()).waiting)
      << "the run cleared its request once it held";
}

TEST_F(RackLockTest, ARequestLeftByAKilledTakerAsksNothing) {
  {
    Child monitor([&] {
      auto attempt = take_rack_lock(rack_, {.command = "monitor", .yields_within = 1h}, all_backends());
      static std::optional<RackLock> kept;
      kept = std::move(attempt.lock);
      return std::string("held");
    });
    ASSERT_EQ(monitor.report(), "held");
    Child run([&] {
      take_rack_lock(rack_, {.command = "run", .wait = 1h}, all_backends());  // never returns
      return std::string("took it");
    });
    while (!inspect_rack_lock(rack_, all_backends()).waiting) std::this_thread::sleep_for(5ms);
  }  // both killed
  const RackLockAttempt monitor =
      take_rack_lock(rack_, {.command = "monitor", .yields_within = 1h}, all_backends());
  ASSERT_TRUE(monitor) << monitor.refusal;
  EXPECT_FALSE(monitor.lock->yield_requested());
}

}  // namespace
}  // namespace cyanrig
