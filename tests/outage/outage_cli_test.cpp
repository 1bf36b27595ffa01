// `cyanrig outage status|clear` and a run killed with SIGTERM during an outage, through the binary
// users run, against the real nft in the test's namespaces.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <thread>

#include "netns_lab.hpp"
#include "outage_rigs.hpp"

namespace cyanrig::outage_testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class OutageCommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string problem;
    lab_ = NetnsLab::create(problem);
    if (!lab_) GTEST_SKIP() << problem;
    rack_ = dir_.path() / "rack.yaml";
    std::ofstream(rack_) << fmt::format(
        "rack: outage-netns\n"
        "safe_power: off\n"
        "segments:\n"
        "  - name: lab\n"
        "    outage: {{backend: nftables, netns: {}}}\n"
        "devices:\n"
        "  - {{name: argon-1, id: e00fce68aabbccddeeff0001, platform: argon, segment: lab, ip: {}}}\n",
        lab_->rig(), NetnsLab::kArgonIp);
  }

  // `cyanrig ARGS`: its exit status, with stdout and stderr in `output`.
  int cyanrig(const std::string& args, std::string& output) const {
    return shell(fmt::format("{} {}", CYANRIG_BINARY, args), &output);
  }

  std::unique_ptr<NetnsLab> lab_;
  TempDir dir_;
  std::filesystem::path rack_;
};

TEST_F(OutageCommandLine, StatusShowsTheCountersAndClearLiftsWhatAKilledRunLeft) {
  {
    OutageRig killed(fmt::format("{{backend: nftables, netns: {}}}", lab_->rig()),
                     {{"argon-1", NetnsLab::kArgonIp, ""}});
    ASSERT_EQ(killed.start({.mode = OutageMode::cloud}), "");
    lab_->probe({{Protocol::udp, NetnsLab::kArgonIp, NetnsLab::kCloudIp, 5684}}, 300ms);
  }
  std::string output;
  EXPECT_EQ(cyanrig("outage status --rack " + rack_.string(), output), 0) << output;
  EXPECT_THAT(output,
              HasSubstr(fmt::format("lab / nftables: IN FORCE: cloud outage (drop) on lab in table inet "
                                    "cyanrig in netns {}",
                                    lab_->rig())));
  EXPECT_THAT(output, HasSubstr("    argon-1 udp/5684 drop: 1 packet\n"));
  EXPECT_THAT(output, HasSubstr("    argon-1 tcp/5683 drop: 0 packets\n"));

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
