// A pseudo-terminal carrying one simulated device's USB serial output, so that cyanrig's `tty`
// serial backend (or `cat`, `screen`, `picocom`) reads it as it would read /dev/ttyACM0.
//
// The pty stays for as long as the served rack runs, whatever the device does. A real device's
// USB port vanishes while it is powered off, resetting or asleep; here the pty simply goes quiet
// (the simulated port is absent, so nothing is written), and output resumes when the device's port
// re-enumerates. As with USB CDC, what the device writes while no program has the pty open is lost
// rather than kept for the next reader.
#pragma once

#include <string>
#include <string_view>

#include "drivers/posix/file_descriptor.hpp"
#include "drivers/sim/usb_serial.hpp"

namespace cyanrig::sim {

class SimDevice;

class DevicePty {
 public:
  // Opens a pty in raw mode at 115200 baud and starts copying the device's USB serial output to
  // it. Throws std::runtime_error when the system has no pty to give. Construct and destroy it on
  // the loop's thread (or while the loop is not running): it listens to the simulated port.
  explicit DevicePty(SimDevice& device);
  ~DevicePty();
  DevicePty(const DevicePty&) = delete;
  DevicePty& operator=(const DevicePty&) = delete;

  // What to open: /dev/pts/N.
  const std::string& path() const { return path_; }

 private:
  void write(std::string_view bytes);
  bool someone_reading() const;

  UsbSerial& usb_;
  FileDescriptor master_;
  std::string path_;
  UsbSerial::ListenerId listener_ = 0;
};

}  // namespace cyanrig::sim
