// Serial backend `usb`: a device's USB serial port found by identity (its Particle device ID, any
// USB serial number, or a fixed path), looked up through libserialport each time it (re)attaches
// and then read like a tty (raw termios on the run's loop, reattached through SerialLink).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "drivers/serial/usb/usb_ports.hpp"
#include "rig/rack/backend_registry.hpp"

namespace cyanrig {

class Clock;

struct UsbSettings {
  enum class FindBy { device_id, usb_serial, path };
  FindBy find_by = FindBy::device_id;
  // The device ID (lower case), the USB serial number, or the path, as find_by says.
  std::string key;
  std::uint32_t baud = 115200;
};

// Reads the rack file's parameters; `device` (may be null) gives the default device ID. Problems go
// to diags at file:line:col.
std::optional<UsbSettings> read_usb_settings(const BackendSpec& spec, const RackDevice* device,
                                             Diagnostics& diags);

std::unique_ptr<SerialPort> make_usb_port(Clock& clock, UsbSettings settings,
                                          UsbPortLister lister = list_usb_serial_ports);

BackendFactory<SerialPort> usb_serial_backend();

}  // namespace cyanrig
