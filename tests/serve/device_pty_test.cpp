// A served device's USB serial log on its pty, read the way the `tty` serial backend reads it.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include "drivers/serial/tty/raw_tty.hpp"
#include "drivers/sim/serve/served_rack.hpp"
#include "drivers/sim/sim_world.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig::sim {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// Reads from `fd` until `text` arrives or `limit` passes; returns everything read.
std::string read_until(int fd, std::string_view text, std::chrono::milliseconds limit) {
  std::string got;
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (got.find(text) == std::string::npos && std::chrono::steady_clock::now() < deadline) {
    pollfd p{.fd = fd, .events = POLLIN, .revents = 0};
    if (::poll(&p, 1, 100) <= 0) continue;
    std::array<char, 1024> buffer{};
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n > 0) got.append(buffer.data(), static_cast<std::size_t>(n));
  }
  return got;
}

TEST(DevicePty, CarriesTheDeviceLogAndStaysWhileThePowerIsOff) {
  ServedRack served(builtin_sim_rack(), ServedRackOptions{.serve = {.token = "t"}});
  served.start();
  const ServedDevice* argon = served.find_device("argon-1");
  ASSERT_NE(argon, nullptr);
  ASSERT_THAT(argon->pty, ::testing::StartsWith("/dev/pts/"));

  FileDescriptor reader(::open(argon->pty.c_str(), O_RDONLY | O_NOCTTY | O_NONBLOCK));
  ASSERT_TRUE(reader) << argon->pty;
  served.call([&] {
    served.world().find_device("argon-1")->set_power(PowerState::on);
    return 0;
  });
  const std::string log = read_until(reader.get(), "Device e00fce68a1b2c3d4e5f60718 started", 10s);
  EXPECT_THAT(log, HasSubstr("[system] INFO: Device e00fce68a1b2c3d4e5f60718 started\r\n"));

  served.call([&] {
    served.world().find_device("argon-1")->set_power(PowerState::off);
    return 0;
  });
  read_until(reader.get(), "never", 100ms);  // what was already on its way
  EXPECT_EQ(read_until(reader.get(), "never", 1500ms), "");
  struct stat info {};
  EXPECT_EQ(::stat(argon->pty.c_str(), &info), 0);  // the pty stays for the next power-on
}

}  // namespace
}  // namespace cyanrig::sim
