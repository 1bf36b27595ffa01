// Any baud rate on a tty, through termios2 (Linux). <termios.h> has no constant for 14400 or
// 28800, the rates that put a Particle device into DFU or listening mode (particle-reference §7).
// Its own translation unit because <asm/termbits.h> and <termios.h> declare the same structs.
#pragma once

#include <cstdint>
#include <optional>
#include <system_error>

namespace cyanrig {

// Sets input and output speed, keeping every other setting. Returns the error, or nothing.
std::error_code set_tty_baud(int fd, std::uint32_t baud);
// The output speed as the kernel reports it, or nothing if fd is not a tty.
std::optional<std::uint32_t> tty_baud(int fd);

}  // namespace cyanrig
