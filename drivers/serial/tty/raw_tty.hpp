// Opening a tty the way a serial log needs it: raw bytes, no controlling terminal, non-blocking.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <system_error>

#include "drivers/posix/file_descriptor.hpp"

namespace cyanrig {

// An open tty on the loop, or why there is none ("cannot open /dev/ttyACM0: No such file or
// directory"). Exactly one of the two is set.
struct OpenedTty {
  std::optional<boost::asio::posix::stream_descriptor> stream;
  std::string error;
  std::error_code code;  // the system's reason, with error
  // The path exists but can never be opened as a serial port (not a tty, permission denied).
  bool never_works() const;
};

// O_RDWR | O_NOCTTY | O_NONBLOCK, then cfmakeraw (no echo, no line editing, no CR/LF translation,
// no flow control characters, 8 data bits) and `baud` (any rate, see tty_baud.hpp).
OpenedTty open_raw_tty(boost::asio::io_context& io, const std::string& path, std::uint32_t baud);

}  // namespace cyanrig
