#include "drivers/serial/tty/tty_baud.hpp"

#include <asm/termbits.h>
#include <sys/ioctl.h>

#include <cerrno>

namespace cyanrig {

std::error_code set_tty_baud(int fd, std::uint32_t baud) {
  termios2 settings{};
  if (::ioctl(fd, TCGETS2, &settings) != 0) return {errno, std::system_category()};
  // BOTHER: the rate is the number in c_ispeed / c_ospeed, not one of the Bnnn constants.
  settings.c_cflag &= ~static_cast<tcflag_t>(CBAUD | (CBAUD << IBSHIFT));
  settings.c_cflag |= BOTHER | (BOTHER << IBSHIFT);
  settings.c_ispeed = baud;
  settings.c_ospeed = baud;
  if (::ioctl(fd, TCSETS2, &settings) != 0) return {errno, std::system_category()};
  return {};
}

std::optional<std::uint32_t> tty_baud(int fd) {
  termios2 settings{};
  if (::ioctl(fd, TCGETS2, &settings) != 0) return std::nullopt;
  return settings.c_ospeed;
}

}  // namespace cyanrig
