// The pre-run health check's recover steps with real parts: a simulated device whose application is
// broken (fault bad_firmware), which a power cycle does not cure and a DFU flash does; and the real
// `tty` backend on a pty with the real dfu-util, which finds no device in DFU mode.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <optional>

#include "rig/event_names.hpp"
#include "rig/rack/rack_file.hpp"
#include "run_support.hpp"
#include "tests/support/particle_module_file.hpp"
#include "tests/support/temp_dir.hpp"

using namespace cyanrig;
using namespace cyanrig::test;
using ::testing::HasSubstr;

namespace {

const char* const kScenario = R"(scenario: recovered
devices: all
steps:
  - power: on
  - mark: powered
  - expect: {led: breathing_cyan, within: 2m, from: powered}
)";

// Where the first event of `device` matching `what` is on the timeline, if anywhere.
std::optional<std::size_t> position(const Outcome& out, const std::string& device,
                                    const std::function<bool(const Event&)>& what, std::size_t from = 0) {
  for (std::size_t i = from; i < out.events.size(); ++i) {
    if (out.events[i].device == device && what(out.events[i])) return i;
  }
  return std::nullopt;
}

auto named(EventKind kind, std::string_view name) {
  return [kind, name](const Event& e) { return e.kind == kind && e.name == name; };
}

auto recover_step(std::string_view step) {
  return [step](const Event& e) {
    return e.kind == EventKind::note && e.name == ev::note::kRecover && e.data.value("step", "") == step;
  };
}

std::vector<std::string> dfu_actions(const Outcome& out, const std::string& device) {
  std::vector<std::string> actions;
  for (const Event& e : out.events) {
    if (e.device == device && e.kind == EventKind::note && e.name == ev::note::kDfuAction)
      actions.push_back(e.data.value("action", ""));
  }
  return actions;
}

Rack broken_argon_rack(std::vector<RecoverStep> recover) {
  Rack rack = sim_rack({"argon-1", "argon-2"}, {{"argon-1", "bad_firmware"}});
  device_of(rack, "argon-1").recover = std::move(recover);
  return rack;
}

const RecoverStep kPowerCycle{.kind = RecoverStep::Kind::power_cycle};
const RecoverStep kDfuFlash{.kind = RecoverStep::Kind::dfu_flash,
                            .image = {.file = "argon-known-good.bin", .address = 0x000d4000, .bytes = 65536}};

TEST(Recover, ABrokenApplicationThatAPowerCycleDoesNotCureIsWrittenAnewOverDfuAndTheRunPasses) {
  const Outcome out = run(scenario_from_text(kScenario), broken_argon_rack({kPowerCycle, kDfuFlash}));
  ASSERT_EQ(out.report.result.exit_code(), ExitCode::pass) << out.failures();

  // In order: the power cycle, the DFU flash with its file, its actions, its result, the check passed.
  const auto cycled = position(out, "argon-1", recover_step("power_cycle"));
  ASSERT_TRUE(cycled);
  const auto flashing = position(out, "argon-1", recover_step("dfu_flash"), *cycled);
  ASSERT_TRUE(flashing);
  EXPECT_EQ(out.events[*flashing].data["file"], "argon-known-good.bin");
  EXPECT_EQ(out.events[*flashing].data["address"], "0x000d4000");
  EXPECT_THAT(out.events[*flashing].data.value("why", ""), HasSubstr("no serial line"));
  const auto flashed = position(out, "argon-1", named(EventKind::note, ev::note::kRecoverResult), *flashing);
  ASSERT_TRUE(flashed);
  EXPECT_EQ(out.events[*flashed].data["result"], "flashed") << out.events[*flashed].data.dump();
  const auto healthy = position(out, "argon-1", named(EventKind::run, ev::run::kHealth), *flashed);
  ASSERT_TRUE(healthy);
  EXPECT_EQ(out.events[*healthy].data["healthy"], true);

  const std::vector<std::string> actions = dfu_actions(out, "argon-1");
  ASSERT_GE(actions.size(), 2U);
  EXPECT_EQ(actions[0], "opened /dev/sim-argon-1 at 14400 baud");
  EXPECT_EQ(
      actions[1],
      "dfu-util -d 2b04:d00c -S e00fce68a1b2c3d4e5f60718 -a 0 -s 0x000d4000:leave -D argon-known-good.bin "
      "(simulated)");

  // What the rig saw of the device: SOS before the flash and no serial line at all, blinking yellow
  // during it, and after it a normal boot that logs.
  EXPECT_TRUE(position(out, "argon-1", named(EventKind::led, "sos")).value_or(*flashing + 1) < *flashing);
  EXPECT_FALSE(position(out, "argon-1", [](const Event& e) {
                 return e.kind == EventKind::serial;
               }).value_or(*flashing + 1) < *flashing);
  const auto yellow = position(out, "argon-1", named(EventKind::led, "blinking_yellow"), *flashing);
  ASSERT_TRUE(yellow);
  EXPECT_LT(*yellow, *flashed);
  EXPECT_TRUE(position(out, "argon-1", named(EventKind::devos, "device_started"), *flashed));
  // The flash took the seconds a download takes.
  const Duration took = out.events[*flashed].t - out.events[*yellow].t;
  EXPECT_GT(took, std::chrono::seconds(2));
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_EQ(out.count(EventKind::note, std::string(ev::note::kRecover), "argon-2"), 0U);
}

TEST(Recover, WithoutADfuFlashTheBrokenDeviceIsUnhealthyAndTheRunIsTheLabsFault) {
  const Outcome out = run(scenario_from_text(kScenario), broken_argon_rack({kPowerCycle}));
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::infrastructure) << out.failures();
  const CaseResult* failed = out.failed_case("argon-1");
  ASSERT_NE(failed, nullptr) << out.failures();
  ASSERT_EQ(failed->failures.size(), 1U);
  EXPECT_EQ(failed->failures[0].cls, FailureClass::infrastructure);
  EXPECT_EQ(failed->failures[0].kind, "unhealthy");
  EXPECT_THAT(failed->failures[0].message, HasSubstr("argon-1: unhealthy: switched on, but no serial line"));
  EXPECT_THAT(failed->failures[0].message, HasSubstr("recover steps tried: power_cycle"));
  EXPECT_EQ(out.failed_case("argon-2"), nullptr) << out.failures();
  EXPECT_EQ(out.count(EventKind::note, std::string(ev::note::kDfuAction), "argon-1"), 0U);
}

// A pty standing in for the device's USB serial port: it exists and opens at any rate, and nothing
// answers on USB in DFU mode.
class Pty {
 public:
  Pty() : master_(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC)) {
    if (master_ < 0 || ::grantpt(master_) != 0 || ::unlockpt(master_) != 0)
      throw std::runtime_error("no pty");
    path_ = ::ptsname(master_);
  }
  ~Pty() { ::close(master_); }
  Pty(const Pty&) = delete;
  Pty& operator=(const Pty&) = delete;
  const std::string& path() const { return path_; }

 private:
  int master_;
  std::string path_;
};

TEST(Recover, TheTtyBackendAsksForDfuOnItsPortAndRunsTheRealDfuUtilWhichFindsNoDevice) {
  const TempDir dir("cyanrig-recover");
  const Pty pty;
  // A name the shell must not split or unquote: dfu-util reads the file before it looks for devices,
  // so a command line that mangled it would fail on the file, not on the missing device.
  write_particle_module(dir.path() / "known good's.bin",
                        {.platform_id = 12, .start = 0x000b4000, .size = 64});
  const std::string file = (dir.path() / "lab.yaml").string();
  Diagnostics diags;
  const auto rack = parse_rack(R"(rack: bench
safe_power: off
devices:
  - name: argon-1
    id: e00fce68a1b2c3d4e5f60718
    platform: argon
    power: {backend: command, on: 'echo relay board not answering >&2; false', off: 'true'}
    serial: {backend: tty, path: )" +
                                   pty.path() + R"(}
    recover:
      - {dfu_flash: "known good's.bin", wait: 2s}
)",
                               file, diags);
  ASSERT_TRUE(rack) << diags.items().front().to_string();

  const Outcome out = run(scenario_from_text(kScenario), *rack);
  EXPECT_EQ(out.report.result.exit_code(), ExitCode::infrastructure) << out.failures();
  const CaseResult* failed = out.failed_case("argon-1");
  ASSERT_NE(failed, nullptr);
  EXPECT_EQ(failed->failures[0].cls, FailureClass::infrastructure);
  EXPECT_EQ(failed->failures[0].kind, "unhealthy");
  EXPECT_THAT(
      failed->failures[0].message,
      HasSubstr("recover steps tried: dfu_flash (failed: dfu-util: No DFU capable USB device available"));

  // The port asked at 14400 baud, then dfu-util with the device's DFU product id, its ID as the USB
  // serial number, the image's start address and the file, quoted for the shell.
  const std::vector<std::string> actions = dfu_actions(out, "argon-1");
  ASSERT_GE(actions.size(), 2U);
  EXPECT_EQ(actions[0], "opened " + pty.path() + " at 14400 baud");
  EXPECT_EQ(actions[1], "dfu-util -d 2b04:d00c -S e00fce68a1b2c3d4e5f60718 -a 0 -s 0x000b4000:leave -D '" +
                            dir.path().string() + "/known good'\\''s.bin'");
  const auto flashing = position(out, "argon-1", recover_step("dfu_flash"));
  ASSERT_TRUE(flashing);
  EXPECT_EQ(out.events[*flashing].data["file"], dir.path().string() + "/known good's.bin");
  const auto result = position(out, "argon-1", named(EventKind::note, ev::note::kRecoverResult), *flashing);
  ASSERT_TRUE(result);
  EXPECT_EQ(out.events[*result].data["result"], "failed");
  EXPECT_EQ(out.events[*result].data["message"],
            "argon-1: dfu-util: No DFU capable USB device available (asked for DFU mode by opening " +
                pty.path() + " at 14400 baud; no bootloader answered within 2s)");
  // Given up after `wait`, not after the backend answer limit.
  EXPECT_LT(out.events[*result].t - out.events[*flashing].t, std::chrono::seconds(5));
}

}  // namespace
