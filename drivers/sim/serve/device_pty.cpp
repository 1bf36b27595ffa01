#include "drivers/sim/serve/device_pty.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <poll.h>
#include <pty.h>
#include <termios.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "drivers/sim/sim_device.hpp"
#include "drivers/sim/sim_log.hpp"

namespace cyanrig::sim {

DevicePty::DevicePty(SimDevice& device) : usb_(device.usb()) {
  termios settings{};
  ::cfmakeraw(&settings);
  ::cfsetspeed(&settings, B115200);
  int master = -1;
  int slave = -1;
  std::array<char, 128> name{};
  if (::openpty(&master, &slave, name.data(), &settings, nullptr) != 0) {
    throw std::runtime_error(
        fmt::format("cannot open a pty for {}: {}", device.rack_device().name, std::strerror(errno)));
  }
  master_ = FileDescriptor(master);
  // Only readers hold the slave open: the master then reports a hang-up while nobody reads, and
  // output is dropped instead of piling up for whoever opens it next.
  FileDescriptor(slave).reset();
  path_ = name.data();
  ::fcntl(master_.get(), F_SETFL, ::fcntl(master_.get(), F_GETFL) | O_NONBLOCK);
  listener_ = usb_.listen(SerialPort::Listener{
      .on_bytes = [this](Instant, std::string_view bytes) { write(bytes); },
      .on_link =
          [name = device.rack_device().name, path = path_](bool attached, const std::string& detail) {
            sim_log().debug("{}: USB serial {} ({}), pty {}", name, attached ? "attached" : "gone", detail,
                            path);
          }});
}

DevicePty::~DevicePty() {
  usb_.unlisten(listener_);
}

bool DevicePty::someone_reading() const {
  pollfd fd{.fd = master_.get(), .events = POLLOUT, .revents = 0};
  return ::poll(&fd, 1, 0) >= 0 && (fd.revents & POLLHUP) == 0;
}

void DevicePty::write(std::string_view bytes) {
  if (!someone_reading()) return;
  while (!bytes.empty()) {
    const ssize_t n = ::write(master_.get(), bytes.data(), bytes.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      // A reader that does not keep up loses output, as a USB CDC host that stops reading would.
      sim_log().debug("pty {}: {} bytes dropped ({})", path_, bytes.size(),
                      n < 0 ? std::strerror(errno) : "short write");
      return;
    }
    bytes.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace cyanrig::sim
