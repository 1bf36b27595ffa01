// The command backend beyond the conformance suite: what its error messages say, timeouts that kill
// what the command started, the status check, the environment, and parameter checks.
#include "drivers/power/command/command_power.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <fstream>

#include "drivers/all_backends.hpp"
#include "power_rigs.hpp"

namespace cyanrig::power_testing {
namespace {

using namespace std::chrono_literals;

constexpr Duration kLimit = 10s;  // far above any answer here; only reached when something is broken

// A command power switch for the rack's one device, on its own steady clock.
class CommandSwitch {
 public:
  explicit CommandSwitch(const std::string& yaml)
      : clock_(make_steady_clock()), rack_(one_device_rack(backend_spec(yaml))), context_(*clock_, rack_, 1) {
    power_ = command_power_backend().create({*rack_.devices[0].power, &rack_.devices[0]}, context_);
  }

  Clock& clock() { return *clock_; }
  PowerSwitch& power() { return *power_; }
  void destroy() { power_.reset(); }

  // The answer's fault message, "" for success; fails the test when there is no answer.
  std::string set(PowerState state) {
    const auto answer = set_and_wait(*clock_, *power_, state, kLimit);
    EXPECT_TRUE(answer.has_value()) << "no answer within " << to_ms(kLimit) << " ms";
    return answer && !answer->ok() ? answer->message() : "";
  }

 private:
  std::unique_ptr<Clock> clock_;
  Rack rack_;
  BackendContext context_;
  std::unique_ptr<PowerSwitch> power_;
};

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// Gone, or a zombie waiting for a parent that is not us (the test's init may never reap it).
bool process_ended(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat(fmt::format("/proc/{}/stat", pid));
  std::string pid_text, name, state;
  stat >> pid_text >> name >> state;
  return state == "Z";
}

TEST(CommandPower, AFailingCommandIsNamedWithItsExitCodeAndLastStderrLines) {
  CommandSwitch rig(
      R"({backend: command, on: "echo starting >&2; echo 'hub 1-1 not found' >&2; exit 1", off: "true"})");
  EXPECT_EQ(rig.set(PowerState::on),
            "command 'echo starting >&2; echo 'hub 1-1 not found' >&2; exit 1' exited 1: starting | hub 1-1 "
            "not found");
  EXPECT_EQ(rig.set(PowerState::off), "");
}

TEST(CommandPower, OnlyTheLastThreeStderrLinesAreQuotedAndAChattyCommandNeverBlocks) {
  // 20000 lines (~200 KB) is more than a pipe holds: the command finishes only if its stderr is read
  // while it runs.
  CommandSwitch rig(R"({backend: command, on: "seq 1 20000 | sed 's/^/line /' >&2; exit 2", off: "true"})");
  const std::string message = rig.set(PowerState::on);
  EXPECT_NE(message.find("exited 2: line 19998 | line 19999 | line 20000"), std::string::npos) << message;
  EXPECT_EQ(message.find("line 19997"), std::string::npos) << message;
}

TEST(CommandPower, ATimeoutKillsTheCommandAndEverythingItStarted) {
  TempDir dir;
  const auto pid_file = dir.path() / "pid";
  CommandSwitch rig(fmt::format(R"({{backend: command, on: "sleep 60 & echo $! > '{}'; wait", off: "true",
                                    timeout: 300ms}})",
                                pid_file.string()));
  const std::string message = rig.set(PowerState::on);
  EXPECT_EQ(message, fmt::format("command 'sleep 60 & echo $! > '{}'; wait' timed out after 300ms",
                                 pid_file.string()));
  const pid_t background = std::stoi(read_file(pid_file));
  EXPECT_TRUE(run_until(
      rig.clock(), [&] { return process_ended(background); }, 2s))
      << "sleep " << background;
}

TEST(CommandPower, StatusConfirmsTheChangeAndAMismatchIsAFault) {
  CommandSwitch rig(R"({backend: command, on: "true", off: "true", status: "exit 1"})");
  EXPECT_EQ(rig.set(PowerState::off), "");
  EXPECT_EQ(rig.set(PowerState::on), "status command 'exit 1' says off after 'true' succeeded");
}

TEST(CommandPower, AStatusExitOtherThanZeroOrOneIsAnError) {
  CommandSwitch rig(
      R"({backend: command, on: "true", off: "true", status: "echo 'plug offline' >&2; exit 7"})");
  EXPECT_EQ(rig.set(PowerState::on),
            "status command 'echo 'plug offline' >&2; exit 7' exited 7: plug offline (0 means on, 1 off)");
}

TEST(CommandPower, TheCommandKnowsWhichDeviceItSwitches) {
  TempDir dir;
  const auto out = dir.path() / "env";
  CommandSwitch rig(
      fmt::format(R"({{backend: command, on: "echo \"$CYANRIG_DEVICE $CYANRIG_DEVICE_ID\" > '{}'",
                                    off: "true"}})",
                  out.string()));
  EXPECT_EQ(rig.set(PowerState::on), "");
  EXPECT_EQ(read_file(out), "dut e00fce68aabbccddeeff0011");
}

TEST(CommandPower, DestroyingTheSwitchKillsARunningCommandAndNeverAnswers) {
  TempDir dir;
  const auto pid_file = dir.path() / "pid";
  CommandSwitch rig(fmt::format(R"({{backend: command, on: "echo $$ > '{}'; exec sleep 60", off: "true"}})",
                                pid_file.string()));
  Answers answers;
  rig.power().set(PowerState::on, answers.next());
  ASSERT_TRUE(run_until(
      rig.clock(), [&] { return !read_file(pid_file).empty(); }, kLimit));
  const pid_t command = std::stoi(read_file(pid_file));
  rig.destroy();
  EXPECT_EQ(::kill(command, 0), -1);  // killed and reaped by the destructor
  run_until(
      rig.clock(), [] { return false; }, 100ms);
  EXPECT_EQ(answers.count(), 0U);
}

TEST(CommandPower, NeedsTheSteadyClock) {
  auto clock = make_virtual_clock();
  const Rack rack = one_device_rack(backend_spec(R"({backend: command, on: "true", off: "true"})"));
  BackendContext context(*clock, rack, 1);
  EXPECT_THROW(command_power_backend().create({*rack.devices[0].power, &rack.devices[0]}, context),
               std::runtime_error);
}

std::vector<std::string> command_errors(const std::string& yaml) {
  return validation_errors(command_power_backend(), backend_spec(yaml));
}

TEST(CommandParameters, OnAndOffAreRequiredStatusAndTimeoutOptional) {
  EXPECT_EQ(command_errors(R"({backend: command, on: "uhubctl -a on -p 2", off: "uhubctl -a off -p 2"})"),
            std::vector<std::string>{});
  EXPECT_EQ(command_errors(R"({backend: command, on: a, off: b, status: c, timeout: 2.5s})"),
            std::vector<std::string>{});
  EXPECT_EQ(command_errors("{backend: command, off: b}"),
            std::vector<std::string>{"rack.yaml:1:1: command power backend needs 'on'"});
  EXPECT_EQ(command_errors("{backend: command, on: ' ', off: b}"),
            std::vector<std::string>{"rack.yaml:1:24: 'on' must be a shell command, found an empty one"});
}

TEST(CommandParameters, TheTimeoutMustFitTheRigsAnswerLimit) {
  const auto zero = command_errors("{backend: command, on: a, off: b, timeout: 0s}");
  ASSERT_EQ(zero.size(), 1U);
  EXPECT_EQ(zero[0].substr(0, 14), "rack.yaml:1:44");
  EXPECT_NE(zero[0].find("'timeout' must be more than 0s and at most 30s"), std::string::npos);
  EXPECT_EQ(command_errors("{backend: command, on: a, off: b, timeout: 1m}").size(), 1U);
  EXPECT_EQ(command_errors("{backend: command, on: a, off: b, timeout: soon}").size(), 1U);
  const auto unknown = command_errors("{backend: command, on: a, off: b, state: c}");
  ASSERT_EQ(unknown.size(), 1U);
  EXPECT_NE(unknown[0].find("unknown field 'state'"), std::string::npos);
}

TEST(PowerBackends, TheBuiltinRegistryHasGpiodAndCommandBesideSim) {
  const BackendRegistry& registry = all_backends();
  EXPECT_NE(registry.find<PowerSwitch>("sim"), nullptr);
  EXPECT_NE(registry.find<PowerSwitch>("gpiod"), nullptr);
  EXPECT_NE(registry.find<PowerSwitch>("command"), nullptr);
}

}  // namespace
}  // namespace cyanrig::power_testing
