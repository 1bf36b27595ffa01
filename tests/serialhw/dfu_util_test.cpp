// The dfu-util command a DFU flash runs and what its answers mean (drivers/serial/dfu/): the words
// per platform, the shell's quoting of them, each kind of answer dfu-util 0.11 gives; and the order
// of an attempt (when the port is asked, when dfu-util runs, when it gives up) on the virtual clock.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "drivers/posix/shell_quote.hpp"
#include "drivers/serial/dfu/dfu_attempt.hpp"
#include "drivers/serial/dfu/dfu_util_command.hpp"

namespace cyanrig {
namespace {

using ::testing::HasSubstr;
using Kind = DfuUtilAnswer::Kind;

RackDevice device(const char* platform) {
  RackDevice d;
  d.name = "dut";
  d.id = *DeviceId::parse("0a10aced202194944a0417b1");
  d.platform = find_platform(platform);
  return d;
}

CommandResult exited(int code, std::string output) {
  return {.ending = CommandResult::Ending::exited, .code = code, .stderr_text = std::move(output)};
}

TEST(DfuUtil, TheWordsNameTheBootloaderOfThePlatformTheDeviceAndTheImagesAddress) {
  const DfuImage image{.file = "/srv/lab/p2 good.bin", .address = 0x085f4000, .bytes = 100};
  EXPECT_EQ(
      shell_words(dfu_util_words(device("p2"), image)),
      "dfu-util -d 2b04:d020 -S 0a10aced202194944a0417b1 -a 0 -s 0x085f4000:leave -D '/srv/lab/p2 good.bin'");
  EXPECT_EQ(dfu_product_id(*find_platform("photon")), 0xd006);
  EXPECT_EQ(dfu_product_id(*find_platform("boron")), 0xd00d);
  EXPECT_EQ(dfu_product_id(*find_platform("msom")), 0xd023);
}

TEST(DfuUtil, AnswersAreReadAsDfuUtilGivesThem) {
  const auto read = [](const CommandResult& r) { return read_dfu_util_answer(r, std::chrono::minutes(2)); };
  EXPECT_EQ(read(exited(0, "Download done.\nFile downloaded successfully\n")).kind, Kind::flashed);
  // The DfuSe leave quirk: written, then the device resets before its last status.
  const DfuUtilAnswer quirk =
      read(exited(74,
                  "Download\t[=========================] 100%        65536 bytes\r\n"
                  "Download done.\nFile downloaded successfully\nSubmitting leave request...\n"
                  "dfu-util: Error during download get_status\n"));
  EXPECT_EQ(quirk.kind, Kind::flashed);
  const DfuUtilAnswer half = read(exited(74, "dfu-util: Error during download get_status\n"));
  EXPECT_EQ(half.kind, Kind::failed);
  EXPECT_EQ(half.message, "dfu-util: Error during download get_status");
  const DfuUtilAnswer none = read(exited(74,
                                         "dfu-util: Warning: File too short for DFU suffix\n"
                                         "dfu-util: No DFU capable USB device available\n"));
  EXPECT_EQ(none.kind, Kind::no_device);
  EXPECT_EQ(none.message, "dfu-util: No DFU capable USB device available");
  const DfuUtilAnswer access = read(
      exited(74, "dfu-util: Cannot open DFU device 2b04:d00c found on devnum 7 (LIBUSB_ERROR_ACCESS)\n"));
  EXPECT_EQ(access.kind, Kind::failed);
  EXPECT_THAT(access.message, HasSubstr("LIBUSB_ERROR_ACCESS) (the rig's user may not open the device"));
  EXPECT_THAT(read(exited(127, "/bin/sh: 1: dfu-util: not found\n")).message,
              HasSubstr("dfu-util is not installed"));
  const DfuUtilAnswer hung = read({.ending = CommandResult::Ending::timed_out, .code = 9});
  EXPECT_EQ(hung.kind, Kind::failed);
  EXPECT_EQ(hung.message, "dfu-util timed out after 2m");
}

// A device whose port is there, goes away (a reset) and comes back, and whose bootloader answers
// from `bootloader_from` on (never, when not set).
struct FakeDevice {
  Clock& clock;
  Instant gone_from, back_at;
  std::optional<Instant> bootloader_from;
  std::vector<Duration> asked;  // since the start
  int runs = 0;
  std::vector<Timer> pending;

  DfuAttempt::Hooks hooks() {
    return {
        .look = [this]() -> DfuAttempt::Port {
          const Instant now = clock.now();
          if (now >= gone_from && now < back_at) return {std::nullopt, "cannot open /dev/ttyACM0: gone"};
          return {"/dev/ttyACM0", ""};
        },
        .ask =
            [this](const std::string&) {
              asked.push_back(clock.now() - Instant{});
              return Status{};
            },
        .run_dfu_util =
            [this](std::function<void(DfuUtilAnswer)> answer) {
              ++runs;
              const bool found = bootloader_from && clock.now() >= *bootloader_from;
              pending.push_back(clock.after(std::chrono::milliseconds(found ? 3000 : 20), [answer, found] {
                answer(found
                           ? DfuUtilAnswer{Kind::flashed, "File downloaded successfully"}
                           : DfuUtilAnswer{Kind::no_device, "dfu-util: No DFU capable USB device available"});
              }));
            },
        .command_line = "dfu-util ..."};
  }
};

TEST(DfuAttempt, AsksWhenThePortAppearsAndAgainWhileItStaysThenWritesOnceTheBootloaderAnswers) {
  using std::chrono::seconds;
  const auto clock = make_virtual_clock();
  FakeDevice dut{*clock, Instant{} + seconds(7), Instant{} + seconds(9), Instant{} + seconds(10)};
  std::vector<std::string> actions;
  std::optional<Status> done;
  const Instant started = clock->now();
  DfuAttempt attempt(*clock, dut.hooks(), seconds(30),
                     {.on_action = [&](const std::string& a) { actions.push_back(a); },
                      .on_done = [&](Status s) { done = std::move(s); }});
  clock->run();
  ASSERT_TRUE(done);
  EXPECT_TRUE(done->ok()) << done->message();
  // At once; 5 s later, still there; not while it is gone; as soon as it is back (within 100 ms).
  ASSERT_EQ(dut.asked.size(), 3U);
  EXPECT_EQ(dut.asked[0], Duration{0});
  EXPECT_EQ(dut.asked[1], seconds(5));
  EXPECT_GE(dut.asked[2], seconds(9));
  EXPECT_LE(dut.asked[2], seconds(9) + std::chrono::milliseconds(100));
  // dfu-util every 500 ms until it found the bootloader at 10 s, then the 3 s write.
  EXPECT_GE(dut.runs, 20);
  EXPECT_LE(dut.runs, 22);
  EXPECT_LE(clock->now() - started, seconds(14));
  EXPECT_EQ(actions, (std::vector<std::string>{"opened /dev/ttyACM0 at 14400 baud", "dfu-util ...",
                                               "opened /dev/ttyACM0 at 14400 baud",
                                               "opened /dev/ttyACM0 at 14400 baud"}));
}

TEST(DfuAttempt, GivesUpAfterItsWaitWithDfuUtilsLastWordAndWhereItAsked) {
  using std::chrono::seconds;
  const auto clock = make_virtual_clock();
  FakeDevice dut{*clock, Instant{} + seconds(100), Instant{} + seconds(100), std::nullopt};
  std::optional<Status> done;
  DfuAttempt attempt(*clock, dut.hooks(), seconds(3), {.on_done = [&](Status s) { done = std::move(s); }});
  clock->run();
  ASSERT_TRUE(done);
  EXPECT_EQ(
      done->message(),
      "dfu-util: No DFU capable USB device available (asked for DFU mode by opening /dev/ttyACM0 at 14400 "
      "baud; no bootloader answered within 3s)");
  EXPECT_GE(clock->now() - Instant{}, seconds(3));
  EXPECT_LT(clock->now() - Instant{}, seconds(3) + std::chrono::milliseconds(200));
}

}  // namespace
}  // namespace cyanrig
