#include "rig/results/serial_log.hpp"

#include <gtest/gtest.h>

#include <cerrno>
#include <fstream>
#include <sstream>

#include "rig/clock.hpp"
#include "run_fixture.hpp"
#include "tests/support/temp_dir.hpp"

namespace cyanrig {
namespace {

namespace fs = std::filesystem;
using test::at_ms;

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(SerialLogFile, EachLineIsOnDiskAsSoonAsItIsWritten) {
  const test::TempDir tmp;
  SerialLogFile log(tmp.path(), "argon-1");
  EXPECT_EQ(log.path(), tmp.path() / "serial" / "argon-1.log");
  log.write(at_ms(1234.5), "0000001234 [system] INFO: Cloud connected\r\n");
  // Read back while the file is still open: nothing may wait in a buffer.
  EXPECT_EQ(read(log.path()), "[     1.234] 0000001234 [system] INFO: Cloud connected\n");
  log.write(at_ms(3723004), "second");
  EXPECT_EQ(read(log.path()),
            "[     1.234] 0000001234 [system] INFO: Cloud connected\n"
            "[  3723.004] second\n");
}

TEST(SerialLogFile, MarkersExplainGaps) {
  const test::TempDir tmp;
  SerialLogFile log(tmp.path(), "boron-1");
  log.mark_detached(at_ms(10000), "/dev/ttyACM0 vanished");
  log.mark_attached(at_ms(14250));
  EXPECT_EQ(read(log.path()),
            "[    10.000] --- serial detached: /dev/ttyACM0 vanished ---\n"
            "[    14.250] --- serial attached ---\n");
}

TEST(SerialLogFile, OneEntryStaysOneLine) {
  const test::TempDir tmp;
  SerialLogFile log(tmp.path(), "argon-1");
  log.write(at_ms(0), "a\rb\nc");
  EXPECT_EQ(read(log.path()), "[     0.000] a\\rb\\nc\n");
}

TEST(SerialLogFile, AppendsWhenReopened) {
  const test::TempDir tmp;
  { SerialLogFile(tmp.path(), "argon-1").write(at_ms(0), "before"); }
  SerialLogFile again(tmp.path(), "argon-1");
  again.write(at_ms(1000), "after");
  EXPECT_EQ(read(again.path()), "[     0.000] before\n[     1.000] after\n");
}

TEST(SerialLogFile, MovedFileKeepsWriting) {
  const test::TempDir tmp;
  SerialLogFile first(tmp.path(), "argon-1");
  SerialLogFile moved = std::move(first);
  moved.write(at_ms(0), "still here");
  EXPECT_EQ(read(moved.path()), "[     0.000] still here\n");
}

TEST(SerialLogFile, OpenErrorNamesThePathAndReason) {
  const test::TempDir tmp;
  std::ofstream(tmp.path() / "serial").put('x');  // a file where the folder should be
  try {
    SerialLogFile log(tmp.path(), "argon-1");
    FAIL() << "expected an error";
  } catch (const std::runtime_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find((tmp.path() / "serial" / "argon-1.log").string()), std::string::npos) << what;
    EXPECT_NE(what.find(std::system_category().message(ENOTDIR)), std::string::npos) << what;
  }
}

TEST(SerialLogFiles, FollowsTheTimeline) {
  const test::TempDir tmp;
  const auto clock = make_virtual_clock();
  Timeline timeline(*clock);
  {
    SerialLogFiles logs(timeline, tmp.path());
    timeline.record(EventKind::serial_link, "argon-1", "attached");
    timeline.record(EventKind::serial, "argon-1", "line", {{"line", "hello"}});
    timeline.record(EventKind::serial, "boron-1", "line", {{"line", "other device"}});
    timeline.record(EventKind::led, "argon-1", "breathing_cyan");
    timeline.record(EventKind::serial_link, "argon-1", "detached", {{"detail", "reset"}});
    EXPECT_EQ(read(tmp.path() / "serial" / "argon-1.log"),
              "[     0.000] --- serial attached ---\n"
              "[     0.000] hello\n"
              "[     0.000] --- serial detached: reset ---\n");
  }
  // Unsubscribed: later lines are no longer written.
  timeline.record(EventKind::serial, "boron-1", "line", {{"line", "late"}});
  EXPECT_EQ(read(tmp.path() / "serial" / "boron-1.log"), "[     0.000] other device\n");
}

}  // namespace
}  // namespace cyanrig
