// The rack lock through the binary users run: every command that acts on a rack is refused at once
// (exit 3, naming the holder) while another holds it, waits with --lock-wait, takes it back from a
// killed holder, and shares it with other Unix users; `rack status` shows who holds it.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/support/file_text.hpp"
#include "tests/support/temp_dir.hpp"

namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;
using ::testing::Not;
namespace fs = std::filesystem;
using cyanrig::test::file_text;

struct Finished {
  int code = -1;
  std::string out;
  std::string err;
  std::chrono::steady_clock::duration took{};
};

// A cyanrig command started in the background, as another terminal (or Unix user) would start it.
class Command {
 public:
  Command(const fs::path& dir, const std::string& args, const std::string& as_user = "") : dir_(dir) {
    static int serial = 0;
    const int n = ++serial;
    out_ = dir / fmt::format("out-{}", n);
    err_ = dir / fmt::format("err-{}", n);
    // setpriv drops to another user without a login shell, keeping the environment.
    const std::string who =
        as_user.empty() ? "" : fmt::format("setpriv --reuid={0} --regid={0} --clear-groups ", as_user);
    const std::string line =
        fmt::format("exec {}{} {} >{} 2>{}", who, CYANRIG_BINARY, args, out_.string(), err_.string());
    const char* argv[] = {"/bin/sh", "-c", line.c_str(), nullptr};
    started_ = std::chrono::steady_clock::now();
    if (::posix_spawn(&pid_, "/bin/sh", nullptr, nullptr, const_cast<char**>(argv), environ) != 0) pid_ = -1;
  }
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;
  ~Command() {
    if (pid_ > 0 && !reaped_) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  pid_t pid() const { return pid_; }
  void kill() { ::kill(pid_, SIGKILL); }

  // Waits for it (at most `limit`; then the result has code -1).
  Finished wait(std::chrono::steady_clock::duration limit = 60s) {
    Finished f;
    const auto until = std::chrono::steady_clock::now() + limit;
    int status = 0;
    while (std::chrono::steady_clock::now() < until) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        reaped_ = true;
        f.code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        break;
      }
      std::this_thread::sleep_for(10ms);
    }
    f.took = std::chrono::steady_clock::now() - started_;
    f.out = file_text(out_);
    f.err = file_text(err_);
    return f;
  }

 private:
  fs::path dir_, out_, err_;
  pid_t pid_ = -1;
  bool reaped_ = false;
  std::chrono::steady_clock::time_point started_;
};

class LockCommandLine : public ::testing::Test {
 protected:
  void SetUp() override {
    // Other users must reach the rack file, the lock folder and the outputs.
    fs::permissions(dir_.path(), fs::perms::all, fs::perm_options::replace);
    rack_ = dir_.path() / "lab-a.yaml";
    std::ofstream(rack_) << fmt::format(
        "rack: lab-a\nsafe_power: off\n"
        "lock_dir: {}\n"
        "segments:\n"
        "  - name: lab\n"
        "    outage: {{backend: command, do: 'true', undo: 'true'}}\n"
        "devices:\n"
        "  - name: argon-1\n"
        "    id: e00fce68aabbccddeeff0001\n"
        "    platform: argon\n"
        "    segment: lab\n"
        "    power: {{backend: command, on: 'true', off: 'true'}}\n"
        "    serial: {{backend: tty, path: /dev/null}}\n"
        "    led: {{backend: tcs34725, bus: /dev/i2c-91}}\n",
        locks_.string());
    fs::permissions(rack_, fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read |
                               fs::perms::others_read);
  }

  std::string rack_arg() const { return " --rack " + rack_.string(); }

  // A holder of the rack for `seconds`: `power cycle` keeps it while the supply is off.
  std::unique_ptr<Command> hold_for(int seconds, const std::string& as_user = "") {
    auto holder = std::make_unique<Command>(
        dir_.path(), fmt::format("power cycle argon-1 --off-for {}s{}", seconds, rack_arg()), as_user);
    const auto until = std::chrono::steady_clock::now() + 20s;
    while (std::chrono::steady_clock::now() < until) {
      if (file_text(locks_ / "lab-a.lock").find("command: power cycle argon-1") != std::string::npos)
        return holder;
      std::this_thread::sleep_for(10ms);
    }
    ADD_FAILURE() << "the holder never took the lock:\n" << holder->wait(1s).err;
    return holder;
  }

  Finished run(const std::string& args, const std::string& as_user = "") {
    return Command(dir_.path(), args, as_user).wait();
  }

  cyanrig::test::TempDir dir_{"cyanrig-lock-cli"};
  fs::path locks_ = dir_.path() / "locks";
  fs::path rack_;
};

TEST_F(LockCommandLine, EveryCommandThatActsOnTheRackIsRefusedAtOnceNamingTheHolder) {
  auto holder = hold_for(30);
  for (const std::string command : {"power safe", "power on argon-1", "outage clear", "serial dfu argon-1",
                                    "serial listening argon-1", "led calibrate argon-1 --yes"}) {
    const Finished refused = run(command + rack_arg());
    EXPECT_EQ(refused.code, 3) << command << "\n" << refused.err;
    EXPECT_LT(refused.took, 5s) << command << ": refused at once, not after a wait";
    EXPECT_THAT(refused.err, HasSubstr(fmt::format("rack 'lab-a' is in use by pid {} (root@", holder->pid())))
        << command;
    EXPECT_THAT(refused.err, HasSubstr("`power cycle argon-1` since 20")) << command;
    EXPECT_THAT(refused.err, HasSubstr("wait for it with --lock-wait DURATION")) << command;
    EXPECT_EQ(refused.out, "") << command << " did something while refused";
  }
  // Reading is not acting: these never wait for the lock.
  EXPECT_EQ(run("outage status" + rack_arg()).code, 0);
  const Finished status = run("rack status" + rack_arg());
  EXPECT_EQ(status.code, 0) << status.err;
  EXPECT_THAT(status.out, HasSubstr(fmt::format("lock: {}\n", (locks_ / "lab-a.lock").string())));
  EXPECT_THAT(status.out, HasSubstr(fmt::format("held by pid {} (root@", holder->pid())));
  EXPECT_THAT(status.out, HasSubstr("; that process is running\n"));
}

TEST_F(LockCommandLine, LockWaitWaitsForTheHolderToFinish) {
  auto holder = hold_for(3);
  const Finished waited = run("power safe --lock-wait 1m" + rack_arg());
  EXPECT_EQ(waited.code, 0) << waited.err;
  EXPECT_THAT(waited.err, HasSubstr("rack 'lab-a' is in use by pid"));
  EXPECT_THAT(waited.err, HasSubstr("waiting up to 1m"));
  EXPECT_EQ(waited.out, "argon-1: power off (the rack's safe state)\n");
  EXPECT_EQ(holder->wait(5s).code, 0) << "the holder finished first";
  EXPECT_GT(waited.took, 1s);

  const Finished bad = run("power safe --lock-wait soon" + rack_arg());
  EXPECT_EQ(bad.code, 2) << "a bad duration is a usage error";
  EXPECT_THAT(bad.err, HasSubstr("--lock-wait"));
}

TEST_F(LockCommandLine, AWaitThatRunsOutIsRefusedSayingHowLongItWaited) {
  auto holder = hold_for(30);
  const Finished refused = run("outage clear --lock-wait 1s" + rack_arg());
  EXPECT_EQ(refused.code, 3) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("(waited 1s)"));
  EXPECT_GE(refused.took, 1s);
}

TEST_F(LockCommandLine, AKilledHolderLeavesTheRackFree) {
  auto holder = hold_for(60);
  const pid_t dead = holder->pid();
  holder->kill();
  holder->wait(5s);
  const Finished taken = run("power safe" + rack_arg());
  EXPECT_EQ(taken.code, 0) << taken.err;
  const Finished status = run("rack status" + rack_arg());
  EXPECT_THAT(status.out, HasSubstr("free (last held by pid"));
  EXPECT_THAT(status.out, Not(HasSubstr(fmt::format("pid {} ", dead))))
      << "the last holder is power safe, not the killed one";
}

TEST_F(LockCommandLine, UnixUsersShareOneLock) {
  const std::string nobody = "65534";
  {
    // Another user takes the rack first, so the lock file and folder are theirs.
    auto holder = hold_for(2, nobody);
    const Finished refused = run("power safe" + rack_arg());
    EXPECT_EQ(refused.code, 3) << refused.err;
    EXPECT_THAT(refused.err, HasSubstr("(nobody@"));
    EXPECT_EQ(holder->wait(10s).code, 0);
  }
  struct stat file {};
  ASSERT_EQ(::stat((locks_ / "lab-a.lock").c_str(), &file), 0);
  EXPECT_EQ(file.st_uid, 65534U) << "the first taker made the file";
  EXPECT_EQ(run("power safe" + rack_arg()).code, 0) << "root takes a lock file nobody made";
  auto holder = hold_for(30);
  const Finished refused = run("power safe" + rack_arg(), nobody);
  EXPECT_EQ(refused.code, 3) << refused.err;
  EXPECT_THAT(refused.err, HasSubstr("(root@"));
}

TEST_F(LockCommandLine, TheBuiltInSimulatedRackTakesNoLock) {
  ::setenv("CYANRIG_LOCK_DIR", locks_.c_str(), 1);
  const Finished safe = run("power safe");
  ::unsetenv("CYANRIG_LOCK_DIR");
  EXPECT_EQ(safe.code, 0) << safe.err;
  EXPECT_FALSE(fs::exists(locks_));
  EXPECT_THAT(run("rack status").out, HasSubstr("lock: none (only in-process simulated backends"));
}

}  // namespace
