#include "drivers/sim/usb_serial.hpp"

#include <fmt/format.h>

#include <chrono>
#include <vector>

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

// Full-speed USB moves bulk data once per 1 ms frame.
constexpr Duration kUsbFrame = milliseconds(1);
// How often a line reaches the host in two pieces.
constexpr double kSplitChance = 0.25;

std::string_view level_name(LogLevel level) {
  switch (level) {
    case LogLevel::trace:
      return "TRACE";
    case LogLevel::info:
      return "INFO";
    case LogLevel::warn:
      return "WARN";
    case LogLevel::error:
      return "ERROR";
    case LogLevel::panic:
      return "PANIC";
  }
  return "INFO";
}

}  // namespace

UsbSerial::ListenerId UsbSerial::listen(SerialPort::Listener listener) {
  const ListenerId id = ++next_id_;
  listeners_.emplace(id, std::move(listener));
  if (attached_) {
    soon_.after(Duration{0}, [this, id] {
      const auto it = listeners_.find(id);
      if (it != listeners_.end() && attached_ && it->second.on_link)
        it->second.on_link(true, "present when opened");
    });
  }
  return id;
}

void UsbSerial::unlisten(ListenerId id) {
  listeners_.erase(id);
}

void UsbSerial::attach(std::string detail) {
  if (attached_) return;
  attached_ = true;
  enqueue({clock_.now() + kUsbFrame, true, true, std::move(detail)});
}

void UsbSerial::detach(std::string detail) {
  if (!attached_) return;
  attached_ = false;
  enqueue({clock_.now() + kUsbFrame, true, false, std::move(detail)});
}

void UsbSerial::write(std::string_view bytes) {
  if (!attached_ || bytes.empty()) return;
  for (const WriteWatcher& w : write_watchers_) w(clock_.now(), bytes);
  const Instant arrival = clock_.now() + kUsbFrame;
  if (bytes.size() > 1 && random_.chance(kSplitChance)) {
    const std::size_t cut = 1 + random_.below(bytes.size() - 1);
    enqueue({arrival, false, true, std::string(bytes.substr(0, cut))});
    enqueue({arrival + kUsbFrame * (1 + static_cast<int>(random_.below(3))), false, true,
             std::string(bytes.substr(cut))});
    return;
  }
  enqueue({arrival, false, true, std::string(bytes)});
}

void UsbSerial::enqueue(Delivery d) {
  // The host sees bytes in the order the device wrote them.
  if (d.arrival < last_arrival_) d.arrival = last_arrival_;
  last_arrival_ = d.arrival;
  queue_.push_back(std::move(d));
  if (queue_.size() == 1) arm();
}

void UsbSerial::arm() {
  timer_ = clock_.at(queue_.front().arrival, [this] { deliver(); });
}

void UsbSerial::deliver() {
  const Delivery d = std::move(queue_.front());
  queue_.pop_front();
  if (!queue_.empty()) arm();
  // A listener may close (unlisten) from inside its callback: walk a snapshot of the ids.
  std::vector<ListenerId> ids;
  ids.reserve(listeners_.size());
  for (const auto& [id, _] : listeners_) ids.push_back(id);
  for (const ListenerId id : ids) {
    const auto it = listeners_.find(id);
    if (it == listeners_.end()) continue;
    if (d.link_change) {
      if (it->second.on_link) it->second.on_link(d.attached, d.payload);
    } else if (it->second.on_bytes) {
      it->second.on_bytes(d.arrival, d.payload);
    }
  }
}

std::string format_log_line(std::uint64_t ms, std::string_view category, LogLevel level,
                            std::string_view message) {
  return fmt::format("{:010d} [{}] {}: {}\r\n", ms, category, level_name(level), message);
}

std::uint64_t DeviceLog::millis() const {
  return static_cast<std::uint64_t>(std::chrono::duration_cast<milliseconds>(clock_.now() - boot_).count());
}

void DeviceLog::write(LogLevel level, std::string_view category, std::string_view message) {
  if (!handler_) return;
  usb_.write(format_log_line(millis(), category, level, message));
}

}  // namespace cyanrig::sim
