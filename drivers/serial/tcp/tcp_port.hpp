// Serial backend `tcp`: a device's serial port behind a serial server speaking raw TCP
// (ser2net `raw` / `tcp` mode, socat TCP-LISTEN), reconnected whenever the connection drops.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

class Clock;

struct TcpSettings {
  std::string host;
  std::uint16_t port = 0;
  Duration reconnect = std::chrono::seconds(1);  // wait after a loss or a failed attempt
};

// An attempt that has neither connected nor failed by then is given up (and tried again).
inline constexpr Duration kTcpConnectTimeout = std::chrono::seconds(10);

// Reads the rack file's parameters; problems go to diags at file:line:col.
std::optional<TcpSettings> read_tcp_settings(const BackendSpec& spec, Diagnostics& diags);

std::unique_ptr<SerialPort> make_tcp_port(Clock& clock, TcpSettings settings);

BackendFactory<SerialPort> tcp_serial_backend();

// No DFU flasher: the serial server sets the port's rate, so cyanrig cannot open it at 14400 baud.
// Only says so, at the dfu_flash step that asks for one.
BackendFactory<DfuFlasher> tcp_dfu_refusal();

}  // namespace cyanrig
