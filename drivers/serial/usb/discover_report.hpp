// What `cyanrig discover` prints: the USB serial ports as a table, and the Particle devices among
// them as rack-file entries ready to paste. Pure formatting, so it is tested with made-up ports.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/serial/usb/usb_ports.hpp"
#include "rig/core/device_id.hpp"

namespace cyanrig {

// A Particle device's platform from its USB product id, in normal or DFU mode; "unknown" for a
// product id cyanrig does not know.
struct ParticleUsbProduct {
  std::string_view platform;
  bool dfu = false;
};
ParticleUsbProduct particle_product(int pid);

// The device ID of a Particle port (Particle vendor id and a serial number that is a device ID).
std::optional<DeviceId> particle_device_id(const UsbSerialPortInfo& port);

// One row per port (path, VID:PID, serial, description, Particle device ID, platform) under a
// header, or the header and "no USB serial ports found".
std::string format_discover_table(const std::vector<UsbSerialPortInfo>& ports);

// A `devices:` block with one entry per Particle port (placeholder name, id, platform, serial
// through the `usb` backend), or a comment saying there is none.
std::string format_rack_snippet(const std::vector<UsbSerialPortInfo>& ports);

}  // namespace cyanrig
