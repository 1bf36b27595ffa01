// The USB serial ports on this machine, through libserialport, and how a device's port is picked
// out of them by identity.
//
// A Particle device's USB port vanishes on every reset, power cycle, sleep and DFU entry and may
// come back as another /dev/ttyACM, but its USB serial number (the device ID) stays: the `usb`
// serial backend lists the ports each time it (re)attaches and follows that number.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig {

// Particle's USB vendor id (particle-reference §1).
inline constexpr int kParticleUsbVendor = 0x2b04;

// One USB serial port as the system describes it. Text the system does not give is empty.
struct UsbSerialPortInfo {
  std::string path;  // /dev/ttyACM0
  int vid = 0;
  int pid = 0;
  std::string serial;  // the USB serial number; a Particle device's is its device ID
  std::string description;
  std::string manufacturer;
};

// The ports found (sorted by path), or why none could be listed. A machine without USB serial
// ports gives an empty list and no error.
struct UsbPortListing {
  std::vector<UsbSerialPortInfo> ports;
  std::string error;
};

UsbPortListing list_usb_serial_ports();

// How the `usb` backend lists ports; tests substitute a fake.
using UsbPortLister = std::function<UsbPortListing()>;

// The port whose USB serial number is `serial`, compared case-insensitively (Particle prints
// device IDs in lower case, some hosts report them in upper case); null when none is plugged in.
const UsbSerialPortInfo* find_port_by_serial(const std::vector<UsbSerialPortInfo>& ports,
                                             std::string_view serial);

}  // namespace cyanrig
