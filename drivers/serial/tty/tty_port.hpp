// Serial backend `tty`: a tty or pty by path (/dev/ttyACM0, /dev/serial/by-id/usb-Particle_...,
// a socat pty), read raw through termios on the run's loop, reopened by path whenever it vanishes.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

class Clock;

struct TtySettings {
  std::string path;
  // USB CDC ignores the rate for data; 14400 and 28800 are Particle's DFU and listening-mode
  // triggers (particle-reference §7).
  std::uint32_t baud = 115200;
};

// The wait between attempts to reopen a vanished port.
inline constexpr Duration kTtyPollInterval = std::chrono::milliseconds(200);

// Reads the rack file's parameters; problems go to diags at file:line:col.
std::optional<TtySettings> read_tty_settings(const BackendSpec& spec, Diagnostics& diags);

std::unique_ptr<SerialPort> make_tty_port(Clock& clock, TtySettings settings);

// A serial port claimed by path (tty, and usb by `path`): two names for one path are one port.
ResourceClaim serial_path_claim(const std::string& path, SourceLoc loc);

BackendFactory<SerialPort> tty_serial_backend();

}  // namespace cyanrig
