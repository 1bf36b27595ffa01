// A simulated device's USB CDC serial port as the host sees it, and the Device OS log handler that
// writes to it (particle-reference.md §3, §7).
//
// The port exists only while the device runs: it vanishes on power-off, reset, sleep and DFU mode
// and re-enumerates after boot or wake; whatever the device writes meanwhile is lost, as
// on real USB CDC.
// Bytes reach the host about a USB frame later, and a line sometimes arrives in two pieces so that
// the rig's line framing is exercised.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "drivers/sim/random.hpp"
#include "drivers/sim/steps.hpp"
#include "rig/capabilities/serial.hpp"
#include "rig/clock.hpp"

namespace cyanrig::sim {

class UsbSerial {
 public:
  using ListenerId = std::uint64_t;

  UsbSerial(Clock& clock, std::uint64_t seed) : clock_(clock), random_(seed), soon_(clock) {}
  UsbSerial(const UsbSerial&) = delete;
  UsbSerial& operator=(const UsbSerial&) = delete;

  // Host side. A listener that opens while the port is present is told so (on the loop).
  ListenerId listen(SerialPort::Listener listener);
  void unlisten(ListenerId id);

  // Device side.
  void attach(std::string detail);
  void detach(std::string detail);
  bool attached() const { return attached_; }
  void write(std::string_view bytes);

  // Told of every write that reaches the port (the device's own clock: when it wrote, not when the
  // host sees it): ground truth for what the rig's serial timestamps should say.
  using WriteWatcher = std::function<void(Instant, std::string_view bytes)>;
  void watch_writes(WriteWatcher watcher) { write_watchers_.push_back(std::move(watcher)); }

 private:
  struct Delivery {
    Instant arrival;
    bool link_change = false;
    bool attached = false;
    std::string payload;  // bytes, or the link detail
  };
  void enqueue(Delivery d);
  void arm();
  void deliver();

  Clock& clock_;
  Random random_;
  bool attached_ = false;
  Instant last_arrival_{};
  std::deque<Delivery> queue_;
  Timer timer_;
  Pending soon_;  // "port present" notices for new listeners, cancelled with the port
  ListenerId next_id_ = 0;
  std::map<ListenerId, SerialPort::Listener> listeners_;
  std::vector<WriteWatcher> write_watchers_;
};

enum class LogLevel { trace, info, warn, error, panic };

// `<10-digit zero-padded ms> [<category>] <LEVEL>: <message>\r\n`
// (device-os wiring/src/spark_wiring_logging.cpp).
std::string format_log_line(std::uint64_t ms, std::string_view category, LogLevel level,
                            std::string_view message);

// The application's SerialLogHandler, at trace level so the reset reason line shows. Its clock is
// millis(): restarted by every boot, kept running through STOP/ULP sleep.
class DeviceLog {
 public:
  DeviceLog(Clock& clock, UsbSerial& usb) : clock_(clock), usb_(usb) {}
  void restart_millis() { boot_ = clock_.now(); }
  // An application without a SerialLogHandler (fault bad_firmware) writes nothing to the port.
  void set_handler(bool present) { handler_ = present; }
  std::uint64_t millis() const;

  void write(LogLevel level, std::string_view category, std::string_view message);
  void trace(std::string_view category, std::string_view m) { write(LogLevel::trace, category, m); }
  void info(std::string_view category, std::string_view m) { write(LogLevel::info, category, m); }
  void warn(std::string_view category, std::string_view m) { write(LogLevel::warn, category, m); }
  void error(std::string_view category, std::string_view m) { write(LogLevel::error, category, m); }

 private:
  Clock& clock_;
  UsbSerial& usb_;
  Instant boot_{};
  bool handler_ = true;
};

}  // namespace cyanrig::sim
