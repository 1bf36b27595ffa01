// Putting a Particle device into DFU or listening mode over its USB serial port: opening the port
// at 14400 baud asks for DFU mode, at 28800 for listening mode (particle-reference §7). That is
// what particle-cli does for `particle usb dfu` / `particle serial listen` on older Device OS.
#pragma once

#include <string>

#include "rig/capabilities/status.hpp"

namespace cyanrig {

inline constexpr int kDfuModeBaud = 14400;
inline constexpr int kListeningModeBaud = 28800;

// Opens the tty at `path` at `baud`, then closes it. The device answers by re-enumerating, so
// its port vanishes shortly after; a reader of the port sees a detach. Blocks only for the open.
// A fault names the path and the cause ("cannot open /dev/ttyACM0: No such file or directory").
[[nodiscard]] Status nudge_baud(const std::string& path, int baud);

}  // namespace cyanrig
