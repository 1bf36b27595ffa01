#include "drivers/sim/device_os.hpp"

#include <fmt/format.h>

#include <array>

namespace cyanrig::sim {

std::string_view reset_reason_name(ResetReason reason) {
  switch (reason) {
    case ResetReason::pin_reset:
      return "pin_reset";
    case ResetReason::power_management:
      return "power_management";
    case ResetReason::power_down:
      return "power_down";
    case ResetReason::watchdog:
      return "watchdog";
    case ResetReason::update:
      return "update";
    case ResetReason::panic:
      return "panic";
    case ResetReason::user:
      return "user";
  }
  return "unknown";
}

std::string LastReset::cloud_text() const {
  if (reason == ResetReason::panic) return fmt::format("panic, {}", panic_name(static_cast<int>(data)));
  return std::string(reset_reason_name(reason));
}

std::string panic_name(int code) {
  static constexpr std::array<std::string_view, 15> kNames = {
      "hard_fault",     "nmi_fault",         "mem_manage",   "bus_fault",
      "usage_fault",    "invalid_length",    "exit",         "out_of_heap",
      "spi_overrun",    "assertion_failure", "invalid_case", "pure_virtual_call",
      "stack_overflow", "heap_error",        "secure_fault"};
  if (code >= 1 && code <= static_cast<int>(kNames.size()))
    return std::string(kNames[static_cast<std::size_t>(code - 1)]);
  return fmt::format("code_{}", code);
}

std::string cloud_host(const Platform& platform, std::string_view device_id) {
  if (platform.transport == CloudTransport::tcp_5683) return "device.tcp.particle.io";
  return fmt::format("{}.udp.particle.io", device_id);
}

std::string_view interface_name(const Platform& platform) {
  return platform.cellular() ? "pp3" : "wl3";
}

std::string_view system_firmware_version(const Platform& platform) {
  return platform.generation == 2 ? "2.3.1" : "6.2.0";
}

}  // namespace cyanrig::sim
