// The tty serial backend against real ptys: what reaches the rig, in order and with host
// timestamps, through detaches and reattaches like a Particle device's USB port on reset.
#include "drivers/serial/tty/tty_port.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <string>
#include <thread>

#include "../devos/corpus.hpp"
#include "drivers/serial/tty/tty_baud.hpp"
#include "serial_test_support.hpp"

namespace cyanrig::testing {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

class TtyPortTest : public ::testing::Test {
 protected:
  std::unique_ptr<SerialPort> open_port(const std::string& path, std::uint32_t baud = 115200) {
    auto port = make_tty_port(*clock_, {.path = path, .baud = baud});
    port->open(got_.listener());
    return port;
  }
  bool attached(int times = 1) {
    return run_until(*clock_, [&] { return got_.attaches() >= times && got_.links.back().attached; });
  }
  bool received(std::size_t size) {
    return run_until(*clock_, [&] { return got_.bytes.size() >= size; });
  }

  std::unique_ptr<Clock> clock_ = make_steady_clock();
  Received got_;
};

// A Device OS log as the device writes it: every line ends in CRLF.
std::string device_log(const std::string& corpus_file) {
  std::string log;
  for (const std::string& line : corpus_lines(corpus_file)) log += line + "\r\n";
  return log;
}

std::vector<std::string> texts(const std::vector<SerialLine>& lines) {
  std::vector<std::string> out;
  for (const SerialLine& line : lines) out.push_back(line.text);
  return out;
}

TEST_F(TtyPortTest, BytesTheDeviceWritesArriveStampedWithTheirHostArrivalTime) {
  Pty device;
  auto port = open_port(device.path());
  EXPECT_TRUE(got_.links.empty()) << "callbacks run on the loop, never inside open()";
  ASSERT_TRUE(attached());
  EXPECT_EQ(got_.links.front().detail, device.path());

  const Instant before = clock_->now();
  const std::string line = "0000000652 [system] INFO: Device e00fce68123456789abcdef started\r\n";
  device.write(line);
  ASSERT_TRUE(received(line.size()));
  const Instant after = clock_->now();

  EXPECT_EQ(got_.bytes, line);
  for (const auto& item : got_.seen) {
    if (const auto* chunk = std::get_if<Received::Chunk>(&item)) {
      EXPECT_GE(chunk->arrival, before);
      EXPECT_LE(chunk->arrival, after);
    }
  }
}

TEST_F(TtyPortTest, DeviceOsLinesSurviveFramingHoweverTheBytesAreSplit) {
  Pty device;
  auto port = open_port(device.path());
  ASSERT_TRUE(attached());

  const std::string log = device_log("argon_wifi_boot.log") + device_log("ota_success.log");
  // Each piece is read before the next is written, so CRLFs and lines are cut across reads.
  const std::size_t pieces[] = {1, 7, 2, 31, 5, 64, 3};
  std::size_t sent = 0;
  for (int i = 0; sent < log.size(); ++i) {
    const std::size_t n = std::min(pieces[i % std::size(pieces)], log.size() - sent);
    device.write(std::string_view(log).substr(sent, n));
    sent += n;
    ASSERT_TRUE(received(sent));
  }

  std::vector<std::string> expected = corpus_lines("argon_wifi_boot.log");
  for (const std::string& line : corpus_lines("ota_success.log")) expected.push_back(line);
  const std::vector<SerialLine> lines = got_.lines();
  EXPECT_EQ(texts(lines), expected);
  for (const SerialLine& line : lines) EXPECT_FALSE(line.partial) << line.text;
}

TEST_F(TtyPortTest, ASlowWriterLosesNothing) {
  Pty device;
  auto port = open_port(device.path());
  ASSERT_TRUE(attached());

  const std::string log = device_log("listening_mode.log");
  std::jthread writer([&] {
    for (const char c : log) {
      device.write(std::string_view(&c, 1));
      std::this_thread::sleep_for(3ms);
    }
  });
  ASSERT_TRUE(received(log.size()));
  EXPECT_EQ(got_.bytes, log);
  EXPECT_EQ(texts(got_.lines()), corpus_lines("listening_mode.log"));
}

TEST_F(TtyPortTest, AFloodOfOneMegabyteArrivesWholeAndInOrder) {
  Pty device;
  auto port = open_port(device.path());
  ASSERT_TRUE(attached());

  // Every byte value, CR, LF, ^C, ^S, ^Q and NUL included: raw mode must pass them all untouched.
  std::string flood(1 << 20, '\0');
  std::uint32_t state = 12345;
  for (char& c : flood) {
    state = state * 1103515245U + 12345U;
    c = static_cast<char>(state >> 24);
  }
  std::jthread writer([&] {
    constexpr std::size_t kChunk = std::size_t{64} * 1024;
    for (std::size_t at = 0; at < flood.size(); at += kChunk)
      device.write(std::string_view(flood).substr(at, kChunk));
  });
  ASSERT_TRUE(received(flood.size()));
  ASSERT_EQ(got_.bytes.size(), flood.size());
  const auto mismatch = std::mismatch(flood.begin(), flood.end(), got_.bytes.begin());
  EXPECT_TRUE(mismatch.first == flood.end())
      << "first difference at byte " << (mismatch.first - flood.begin());
}

TEST_F(TtyPortTest, DetachInMidLineThenReattachUnderTheSameByIdSymlink) {
  TempDir dir;
  const std::string by_id = (dir.path() / "usb-Particle_Argon_e00fce68123456789abcdef-if00").string();
  auto first = std::make_unique<Pty>();
  point_symlink(by_id, first->path());
  auto port = open_port(by_id);
  ASSERT_TRUE(attached());
  EXPECT_EQ(got_.links.back().detail, by_id + " -> " + first->path());

  const std::string half = "0000001000 [app] INFO: half a li";
  first->write(half);
  ASSERT_TRUE(received(half.size()));

  // The device resets: its port vanishes and re-enumerates, maybe as another /dev/pts, while
  // the by-id name stays.
  first->hang_up();
  ASSERT_TRUE(run_until(*clock_, [&] { return !got_.links.back().attached; }));
  Pty second;
  point_symlink(by_id, second.path());
  ASSERT_TRUE(attached(2));

  const std::string after = "ne\r\n0000000005 [system] INFO: Device e00fce68123456789abcdef started\r\n";
  second.write(after);
  ASSERT_TRUE(received(half.size() + after.size()));

  ASSERT_EQ(got_.links.size(), 3U);
  EXPECT_THAT(got_.links[1].detail, HasSubstr("hung up"));
  EXPECT_EQ(got_.links[2].detail, by_id + " -> " + second.path());
  EXPECT_EQ(got_.bytes, half + after);
  const std::vector<SerialLine> lines = got_.lines();
  ASSERT_EQ(lines.size(), 3U);
  EXPECT_EQ(lines[0].text, half);
  EXPECT_TRUE(lines[0].partial) << "the line cut by the detach is flushed as partial";
  EXPECT_EQ(lines[1].text, "ne");
  EXPECT_EQ(lines[2].text, "0000000005 [system] INFO: Device e00fce68123456789abcdef started");
}

// The case from issue 14: the by-id name is re-pointed at another port while the old one stays open
// (and quiet). The rig must notice within a second, move to the new port, and lose no line.
TEST_F(TtyPortTest, APortReplacedUnderItsOpenDescriptorIsNoticedWithinASecondAndNoLineIsLost) {
  TempDir dir;
  const std::string by_id = (dir.path() / "usb-Particle_Argon_e00fce68123456789abcdef-if00").string();
  Pty first(true);
  Pty second(true);
  point_symlink(by_id, first.path());
  std::atomic<std::chrono::steady_clock::rep> repointed{0};
  std::chrono::steady_clock::time_point noticed;
  std::size_t links_seen = 0;
  auto port = make_tty_port(*clock_, {.path = by_id});
  port->open(got_.listener([&] {
    if (got_.links.size() != links_seen && ++links_seen == 2) noticed = std::chrono::steady_clock::now();
  }));
  ASSERT_TRUE(attached());

  constexpr int kLines = 792;
  std::vector<std::string> expected;
  for (int i = 0; i < kLines; ++i)
    expected.push_back(fmt::format("{:010d} [app] INFO: reading {}", 1000 + i, i));
  std::jthread device([&] {
    for (int i = 0; i < kLines; ++i) {
      if (i == kLines / 2) {
        point_symlink(by_id, second.path());
        repointed = std::chrono::steady_clock::now().time_since_epoch().count();
      }
      (i < kLines / 2 ? first : second).write(expected[i] + "\r\n");
      std::this_thread::sleep_for(2ms);
    }
  });
  ASSERT_TRUE(run_until(
      *clock_, [&] { return got_.lines().size() >= kLines; }, 20s))
      << got_.lines().size() << " of " << kLines << " lines arrived";
  device.join();

  EXPECT_EQ(texts(got_.lines()), expected);
  ASSERT_EQ(got_.links.size(), 3U);
  EXPECT_FALSE(got_.links[1].attached);
  EXPECT_EQ(got_.links[1].detail, "port moved: " + by_id + " now leads to " + second.path());
  EXPECT_EQ(got_.links[2].detail, by_id + " -> " + second.path());
  const auto repointed_at =
      std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(repointed.load()));
  EXPECT_LE(noticed - repointed_at, 1s)
      << "noticed " << std::chrono::duration<double>(noticed - repointed_at).count() << " s late";
}

TEST_F(TtyPortTest, APortAbsentAtOpenIsAttachedWhenItAppears) {
  TempDir dir;
  const std::string by_id = (dir.path() / "usb-Particle_Boron_e00fce68aaaaaaaaaaaaaaaa-if00").string();
  auto port = open_port(by_id);  // the device is powered off in the rack's safe state
  run_for(*clock_, 500ms);
  // Said once, with why, so a run can name the port when the device never shows up; not repeated.
  ASSERT_EQ(got_.links.size(), 1U);
  EXPECT_FALSE(got_.links[0].attached);
  EXPECT_THAT(got_.links[0].detail, HasSubstr("No such file or directory"));

  Pty device;
  point_symlink(by_id, device.path());
  ASSERT_TRUE(attached());
  const std::string line = "0000000001 [system] INFO: hello\r\n";
  device.write(line);
  ASSERT_TRUE(received(line.size()));
  EXPECT_EQ(got_.bytes, line);
}

TEST_F(TtyPortTest, CloseStopsEveryCallbackIsIdempotentAndTheSamePortReopens) {
  Pty device;
  auto port = open_port(device.path());
  ASSERT_TRUE(attached());

  port->close();
  port->close();
  device.write("unheard\r\n");
  run_for(*clock_, 300ms);
  EXPECT_EQ(got_.bytes, "");
  EXPECT_EQ(got_.links.size(), 1U) << "close() is not a detach";

  port->open(got_.listener());
  ASSERT_TRUE(attached(2));
  device.write("later\r\n");
  ASSERT_TRUE(run_until(*clock_, [&] { return got_.bytes.ends_with("later\r\n"); }));
  // Whether the tty kept what came while nobody listened is the kernel's business; nothing
  // written after the reopen is lost or delivered twice.
  EXPECT_EQ(got_.bytes.find("later"), got_.bytes.rfind("later"));
}

TEST_F(TtyPortTest, DestroyingAnOpenPortLeavesNothingRunningOnTheLoop) {
  Pty device;
  auto port = open_port(device.path());
  ASSERT_TRUE(attached());
  port.reset();  // its read is still pending on the loop
  device.write("unheard\r\n");
  run_for(*clock_, 100ms);
  EXPECT_EQ(got_.bytes, "");
  EXPECT_EQ(got_.links.size(), 1U);
}

TEST_F(TtyPortTest, AListenerMayCloseThePortFromInsideACallback) {
  Pty device;
  std::unique_ptr<SerialPort> port = make_tty_port(*clock_, {.path = device.path()});
  port->open(got_.listener([&] {
    if (!got_.bytes.empty()) port->close();
  }));
  ASSERT_TRUE(attached());
  device.write("first");
  ASSERT_TRUE(received(5));
  device.write("second");
  run_for(*clock_, 300ms);
  EXPECT_EQ(got_.bytes, "first");
}

TEST_F(TtyPortTest, TheParticleTriggerRatesAreReallySetOnThePort) {
  for (const std::uint32_t baud : {14400U, 28800U, 115200U}) {
    Pty device;
    auto port = open_port(device.path(), baud);
    ASSERT_TRUE(attached());
    // termios belongs to the tty, not the descriptor: a second look at the same port sees it.
    const FileDescriptor look(::open(device.path().c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC));
    ASSERT_TRUE(look);
    EXPECT_EQ(tty_baud(look.get()), baud);
    port->close();
    got_ = {};
  }
}

TEST_F(TtyPortTest, AnythingButATtyIsNeverAttached) {
  TempDir dir;
  const std::string file = (dir.path() / "not-a-tty").string();
  { std::ofstream(file) << "hello"; }
  auto port = open_port(file);
  run_for(*clock_, 500ms);
  EXPECT_TRUE(got_.links.empty());
  EXPECT_EQ(got_.bytes, "");
}

}  // namespace
}  // namespace cyanrig::testing
