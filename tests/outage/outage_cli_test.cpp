// `cyanrig outage status|clear` and a run killed with SIGTERM during an outage, through the binary
// users run, against the real nft in the test's namespaces.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <thread>

#include "netns_lab.hpp"
#include "outage_rigs.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

const Probe kArgonCloud{Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 5684};

class OutageCommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string problem;
    lab_ = NetnsLab::create(problem);
    if (!lab_) GTEST_SKIP() << problem;
    rack_ = write_rack("rack.yaml", ", lease: 1m");
  }

  // The lab's rack, its nftables backend given `extra` parameters; its lock kept in the test's folder.
  std::filesystem::path write_rack(const std::string& name, const std::string& extra) const {
    auto path = dir_.path() / name;
    std::ofstream(path) << fmt::format(
        "rack: outage-netns\n"
        "safe_power: off\n"
        "lock_dir: {}\n"
        "segments:\n"
        "  - name: lab\n"
        "    outage: {{backend: nftables, netns: {}{}}}\n"
        "devices:\n"
        "  - {{name: argon-1, id: e00fce68aabbccddeeff0001, platform: argon, segment: lab, ip: {}}}\n",
        (dir_.path() / "locks").string(), lab_->rig(), extra, NetnsLab::kArgonIp);
    return path;
  }

  // `cyanrig outage hold lab --mode cloud` in the background, once the outage bites; its pid.
  pid_t hold_cloud_outage(const std::filesystem::path& rack) {
    const std::string log = (dir_.path() / "hold.log").string();
    const std::string command = fmt::format("exec {} outage hold lab --mode cloud --rack {} >{} 2>&1",
                                            CYANRIG_BINARY, rack.string(), log);
    pid_t pid = -1;
    const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
    if (::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) return -1;
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      if (lab_->probe({kArgonCloud}, 200ms) == std::vector<Reply>{Reply::silent}) return pid;
    }
    std::string output;
    shell("cat " + log, &output);
    ADD_FAILURE() << "the outage never bit:\n" << output;
    return pid;
  }

  // `cyanrig ARGS`: its exit status, with stdout and stderr in `output`.
  int cyanrig(const std::string& args, std::string& output) const {
    return shell(fmt::format("{} {}", CYANRIG_BINARY, args), &output);
  }

  std::unique_ptr<NetnsLab> lab_;
  TempDir dir_;
  std::filesystem::path rack_;
};

// The exit status of `pid`, or nullopt if it has not exited within `limit`.
std::optional<int> wait_exit(pid_t pid, std::chrono::steady_clock::duration limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    std::this_thread::sleep_for(20ms);
  }
  return std::nullopt;
}

void kill_now(pid_t pid) {
  ::kill(pid, SIGKILL);
  ::waitpid(pid, nullptr, 0);
}

TEST_F(OutageCommandLine, StatusShowsTheCountersAndClearLiftsWhatAKilledHolderLeft) {
  const pid_t holder = hold_cloud_outage(rack_);
  ASSERT_GT(holder, 0);
  std::string output;
  // While it runs, the table is its own: status shows it, and no one else's sweep removes it.
  EXPECT_EQ(cyanrig("outage status --rack " + rack_.string(), output), 0) << output;
  EXPECT_THAT(output,
              HasSubstr(fmt::format("lab / nftables: IN FORCE: cloud outage (drop) on lab in table inet "
                                    "cyanrig in netns {}",
                                    lab_->rig())));
  EXPECT_THAT(output, HasSubstr(fmt::format("    lease: held by pid {} (rack outage-netns), which is running",
                                            holder)));
  kill_now(holder);

  // Killed within its 1-minute lease: still in force, and now anyone's to clear.
  EXPECT_EQ(cyanrig("outage status --rack " + rack_.string(), output), 0) << output;
  EXPECT_THAT(output, HasSubstr("IN FORCE: cloud outage (drop)"));
  EXPECT_THAT(output, testing::ContainsRegex("    argon-1 udp/5684 drop: [1-9][0-9]* packets?\n"));
  EXPECT_THAT(output, HasSubstr("    argon-1 tcp/5683 drop: 0 packets\n"));
  EXPECT_THAT(output, HasSubstr("which is gone"));

  EXPECT_EQ(cyanrig("outage clear --rack " + rack_.string(), output), 0) << output;
  EXPECT_EQ(output,
            fmt::format("lab / nftables: removed table inet cyanrig in netns {} left by an earlier run (2 "
                        "rules)\n",
                        lab_->rig()));
  EXPECT_FALSE(lab_->table_exists());

  EXPECT_EQ(cyanrig("outage status --rack " + rack_.string(), output), 0) << output;
  EXPECT_THAT(output, HasSubstr("lab / nftables: no outage on lab (table inet cyanrig"));
  EXPECT_EQ(cyanrig("outage clear --rack " + rack_.string(), output), 0) << output;
  EXPECT_EQ(output, "lab / nftables: nothing was in force\n");
}

TEST_F(OutageCommandLine, ASweepLeavesATableWhoseOwnerStillRuns) {
  const pid_t holder = hold_cloud_outage(rack_);
  ASSERT_GT(holder, 0);
  // Another rack on this host, configured with the same table: its run must not take this one's.
  OutageRig other(fmt::format("{{backend: nftables, netns: {}}}", lab_->rig()),
                  {{"argon-9", "10.77.1.9", ""}});
  EXPECT_THAT(other.sweep(), HasSubstr(fmt::format(
                                 "fault: table inet cyanrig in netns {} belongs to a cyanrig that is still "
                                 "running (pid {}, rack outage-netns); left in place",
                                 lab_->rig(), holder)));
  EXPECT_TRUE(lab_->table_exists());
  EXPECT_EQ(lab_->probe({kArgonCloud}, 300ms), std::vector<Reply>{Reply::silent});
  ::kill(holder, SIGTERM);
  EXPECT_EQ(wait_exit(holder, 20s), std::optional<int>(0)) << "SIGTERM lifts it and ends the hold";
  EXPECT_FALSE(lab_->table_exists());
}

// The dead-man, end to end: the binary holds the outage beyond its lease, is SIGKILLed, and the
// outage lapses by itself. The measured lapse is printed (docs/outages.md records it).
TEST_F(OutageCommandLine, AfterSigkillTheOutageLapsesWithinItsLease) {
  const auto rack = write_rack("default-lease.yaml", "");  // the default lease, 10 s
  const pid_t holder = hold_cloud_outage(rack);
  ASSERT_GT(holder, 0);
  std::this_thread::sleep_for(12s);
  ASSERT_EQ(lab_->probe({kArgonCloud}, 300ms), std::vector<Reply>{Reply::silent})
      << "held past its lease, the outage is still in force";
  ::kill(holder, SIGKILL);
  const auto killed = std::chrono::steady_clock::now();
  ::waitpid(holder, nullptr, 0);
  while (lab_->probe({kArgonCloud}, 100ms) != std::vector<Reply>{Reply::answered}) {
    ASSERT_LT(std::chrono::steady_clock::now() - killed, 15s) << "the outage did not lapse";
  }
  const double lapse = std::chrono::duration<double>(std::chrono::steady_clock::now() - killed).count();
  std::printf("outage lapsed %.2f s after SIGKILL (lease 10 s)\n", lapse);
  RecordProperty("lapse_seconds", fmt::format("{:.2f}", lapse));
  EXPECT_LE(lapse, 10.5);
  EXPECT_TRUE(lab_->table_exists()) << "the table stays, inert, until a sweep or `outage clear`";
  std::string output;
  EXPECT_EQ(cyanrig("outage status --rack " + rack.string(), output), 0) << output;
  EXPECT_THAT(output, HasSubstr("no outage in force on lab: table inet cyanrig"));
  EXPECT_THAT(output, HasSubstr("holds one whose lease ran out"));
  EXPECT_EQ(cyanrig("outage clear --rack " + rack.string(), output), 0) << output;
  EXPECT_FALSE(lab_->table_exists());
}

TEST_F(OutageCommandLine, ARunStoppedBySigtermLiftsItsOutageAndExitsAsAnInfrastructureError) {
  const auto scenario = dir_.path() / "outage_then_wait.yaml";
  std::ofstream(scenario) << "scenario: outage_then_wait\n"
                             "devices: all\n"
                             "steps:\n"
                             "  - outage: start\n"
                             "    mode: cloud\n"
                             "    action: reject\n"
                             "  - wait: 1h\n"
                             "  - outage: stop\n";
  const std::string log = (dir_.path() / "run.log").string();
  const std::string command = fmt::format("exec {} run {} --rack {} --no-results --progress plain >{} 2>&1",
                                          CYANRIG_BINARY, scenario.string(), rack_.string(), log);
  pid_t pid = -1;
  const char* argv[] = {"/bin/sh", "-c", command.c_str(), nullptr};
  ASSERT_EQ(::posix_spawn(&pid, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ), 0);

  const auto until = std::chrono::steady_clock::now() + 20s;
  while (!lab_->table_exists() && std::chrono::steady_clock::now() < until) std::this_thread::sleep_for(50ms);
  const bool started = lab_->table_exists();
  ::kill(pid, SIGTERM);
  const auto code = wait_exit(pid, 20s);
  if (!code) {
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
  }
  std::string output;
  shell("cat " + log, &output);
  ASSERT_TRUE(started) << "the run never put its table in place:\n" << output;
  ASSERT_TRUE(code) << "cyanrig did not exit within 20 s of SIGTERM:\n" << output;
  EXPECT_EQ(*code, 3) << output;
  EXPECT_FALSE(lab_->table_exists()) << "SIGTERM left the outage in force:\n" << output;
}

}  // namespace
}  // namespace cyanrig::outage_testing
