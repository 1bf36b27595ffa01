// The device side of the serial benchmark (docs/benchmarks.md): opens N ptys, publishes their slave
// paths, waits --start-delay seconds for the readers to open them, then writes Device OS-format
// lines to every port at --rate bytes/s for --duration seconds. Each line carries its port,
// sequence number and CLOCK_MONOTONIC send time. When all is written it publishes how many lines
// each port got (--sent) and keeps the ptys open for --linger seconds (or until SIGTERM): closing a
// master hangs up its slave, which a reader must not mistake for the end of the data.
//
//   serial_bench_writer --ports 64 --rate 11520 --duration 60 --start-delay 2
//                       --paths DIR/ptys.txt --sent DIR/sent.txt --linger 30
#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <stdexcept>
#include <thread>
#include <vector>

#include "drivers/serial/tty/raw_tty.hpp"
#include "serial_bench_support.hpp"

namespace cyanrig::bench {
namespace {

using std::chrono::nanoseconds;

// One pty's master, as the device end of a USB serial port, with what is generated but not yet
// taken by the kernel (a reader that falls behind fills the pty and the rest waits here).
struct DevicePort {
  int number = 0;
  FileDescriptor master;
  std::string slave_path;
  std::string pending;
  std::size_t taken = 0;  // bytes of `pending` the kernel has already taken
  std::uint64_t generated = 0;
  std::size_t backlog() const { return pending.size() - taken; }
};

DevicePort open_device_port(int number) {
  DevicePort port{.number = number};
  port.master = FileDescriptor(::posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!port.master || ::grantpt(port.master.get()) != 0 || ::unlockpt(port.master.get()) != 0)
    throw std::runtime_error(fmt::format("cannot open a pty: {}", std::strerror(errno)));
  char name[128] = {};
  if (::ptsname_r(port.master.get(), name, sizeof name) != 0) throw std::runtime_error("ptsname failed");
  port.slave_path = name;
  // Raw before any reader opens it: a cooked slave would echo our bytes back into the master.
  termios settings{};
  ::tcgetattr(port.master.get(), &settings);
  ::cfmakeraw(&settings);
  ::tcsetattr(port.master.get(), TCSANOW, &settings);
  return port;
}

// Hands the kernel what it takes without blocking; the rest stays pending. The taken prefix is
// dropped only once it is most of the buffer: shifting a long backlog on every small write would
// cost the writer more CPU than the readers it is measuring.
void flush(DevicePort& port) {
  while (port.backlog() > 0) {
    const ssize_t n = ::write(port.master.get(), port.pending.data() + port.taken, port.backlog());
    if (n <= 0) break;  // EAGAIN: the pty is full until the reader catches up
    port.taken += static_cast<std::size_t>(n);
  }
  if (port.taken * 2 >= port.pending.size()) {
    port.pending.erase(0, port.taken);
    port.taken = 0;
  }
}

void sleep_until(nanoseconds when) {
  timespec ts{.tv_sec = static_cast<time_t>(when.count() / 1'000'000'000),
              .tv_nsec = static_cast<long>(when.count() % 1'000'000'000)};
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
  }
}

struct Pace {
  double bytes_per_second;
  nanoseconds duration;
  nanoseconds boot;   // the devices' "ms since boot" counts from here
  nanoseconds start;  // first line
};

// Appends every line due on `port` by `now` (lines are whole, so a port's bytes lag its rate by
// less than one line), stamped with the time it is handed out.
void generate_due(DevicePort& port, const Pace& pace, nanoseconds now) {
  const double elapsed = std::chrono::duration<double>(std::min(now - pace.start, pace.duration)).count();
  const auto due = static_cast<std::uint64_t>(pace.bytes_per_second * elapsed) / kLineBytes;
  for (; port.generated < due; ++port.generated) {
    const nanoseconds sent = monotonic_now();
    port.pending += format_line({.port = port.number, .seq = port.generated, .sent = sent},
                                std::chrono::duration_cast<std::chrono::milliseconds>(sent - pace.boot));
  }
}

int run(int argc, char** argv) {
  const int port_count = std::stoi(option(argc, argv, "--ports", "64"));
  const std::string paths_file = option(argc, argv, "--paths", "ptys.txt");
  const std::string sent_file = option(argc, argv, "--sent", "sent.txt");
  const auto seconds = [&](std::string_view name, const char* fallback) {
    return std::chrono::duration_cast<nanoseconds>(
        std::chrono::duration<double>(std::stod(option(argc, argv, name, fallback))));
  };
  Pace pace{.bytes_per_second = std::stod(option(argc, argv, "--rate", "11520")),
            .duration = seconds("--duration", "60"),
            .boot = monotonic_now()};
  pace.start = pace.boot + seconds("--start-delay", "2");
  const nanoseconds linger = seconds("--linger", "30");
  constexpr nanoseconds kTick = std::chrono::milliseconds(5);

  std::vector<DevicePort> ports;
  std::string paths;
  for (int i = 0; i < port_count; ++i) {
    ports.push_back(open_device_port(i));
    paths += fmt::format("{} {}\n", i, ports.back().slave_path);
  }
  publish(paths_file, paths);

  // Generate and write for the duration, then say what was sent: lines still queued here behind a
  // slow reader count as sent (a device does not wait for its host), and keep writing them until
  // they are all taken or the linger ends.
  std::size_t max_backlog = 0;
  const auto write_all = [&](nanoseconds now) {
    bool drained = true;
    for (DevicePort& port : ports) {
      generate_due(port, pace, now);
      flush(port);
      max_backlog = std::max(max_backlog, port.backlog());
      drained = drained && port.backlog() == 0;
    }
    return drained;
  };
  const nanoseconds end = pace.start + pace.duration;
  nanoseconds tick = pace.start;
  for (; tick < end; tick += kTick) {
    sleep_until(tick);
    write_all(monotonic_now());
  }
  sleep_until(end);
  write_all(end);

  std::string sent;
  std::uint64_t queued = 0;
  for (const DevicePort& port : ports) {
    sent += fmt::format("{} {}\n", port.number, port.generated);
    queued += port.backlog();
  }
  publish(sent_file, sent);
  fmt::print(
      "writer: {} ports, {} bytes/s each, max backlog {} bytes on a port, {} bytes queued at the end\n",
      port_count, pace.bytes_per_second, max_backlog, queued);
  std::fflush(stdout);

  const nanoseconds give_up = end + linger;
  for (; tick < give_up && !write_all(end); tick += kTick) sleep_until(tick);
  sleep_until(give_up);
  return 0;
}

}  // namespace
}  // namespace cyanrig::bench

int main(int argc, char** argv) {
  try {
    return cyanrig::bench::run(argc, argv);
  } catch (const std::exception& error) {
    fmt::print(stderr, "serial_bench_writer: {}\n", error.what());
    return 1;
  }
}
