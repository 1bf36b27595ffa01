#include "drivers/serial/tty/raw_tty.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <system_error>

#include "drivers/serial/tty/tty_baud.hpp"

namespace cyanrig {

namespace {

// The one place an errno becomes words.
OpenedTty failed(std::string_view what, const std::string& path, std::error_code error) {
  return {.error = fmt::format("cannot {} {}: {}", what, path, error.message()), .code = error};
}

std::error_code last_error() {
  return {errno, std::system_category()};
}

std::error_code make_raw(int fd) {
  termios settings{};
  if (::tcgetattr(fd, &settings) != 0) return last_error();
  ::cfmakeraw(&settings);
  // CREAD: receive at all; CLOCAL: a USB CDC or pty has no carrier line to wait for.
  settings.c_cflag |= CREAD | CLOCAL;
  settings.c_cc[VMIN] = 1;
  settings.c_cc[VTIME] = 0;
  if (::tcsetattr(fd, TCSANOW, &settings) != 0) return last_error();
  return {};
}

}  // namespace

bool OpenedTty::never_works() const {
  return code == std::errc::permission_denied || code == std::errc::is_a_directory ||
         code == std::errc::inappropriate_io_control_operation;
}

OpenedTty open_raw_tty(boost::asio::io_context& io, const std::string& path, std::uint32_t baud) {
  FileDescriptor fd(::open(path.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC));
  if (!fd) return failed("open", path, last_error());
  if (const auto error = make_raw(fd.get())) return failed("set raw mode on", path, error);
  if (const auto error = set_tty_baud(fd.get(), baud))
    return failed(fmt::format("set {} baud on", baud), path, error);

  boost::asio::posix::stream_descriptor stream(io);
  boost::system::error_code error;
  stream.assign(fd.get(), error);  // on failure the descriptor stays ours and fd closes it
  if (error) return failed("watch", path, std::error_code(error.value(), std::system_category()));
  fd.release();
  return {.stream = std::move(stream)};
}

}  // namespace cyanrig
