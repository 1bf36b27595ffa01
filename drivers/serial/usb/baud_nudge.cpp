#include "drivers/serial/usb/baud_nudge.hpp"

#include <fmt/format.h>

#include <boost/asio/io_context.hpp>

#include "drivers/serial/tty/raw_tty.hpp"

namespace cyanrig {

Status nudge_baud(const std::string& path, int baud) {
  if (baud <= 0) return fault(fmt::format("cannot open {} at {} baud: not a baud rate", path, baud));
  // The same open as a serial log's (raw, no controlling terminal, any rate through termios2);
  // the loop is only there because the opener hands back a stream for it, and is never run.
  boost::asio::io_context io;
  OpenedTty tty = open_raw_tty(io, path, static_cast<std::uint32_t>(baud));
  if (!tty.stream) return fault(tty.error);
  boost::system::error_code ignored;
  tty.stream->close(ignored);  // as particle-cli does: the rate was the message
  return Status{};
}

}  // namespace cyanrig
