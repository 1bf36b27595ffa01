#include "rig/devos/device_codes.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <utility>

namespace cyanrig {
namespace {

// device-os: hal/inc/system_defs.h (codes) and system/src/system_cloud_internal.cpp (names).
constexpr std::array<std::pair<std::int64_t, std::string_view>, 15> kResetReasons{{
    {0, "none"},
    {10, "unknown"},
    {20, "pin_reset"},
    {30, "power_management"},
    {40, "power_down"},
    {50, "power_brownout"},
    {60, "watchdog"},
    {70, "update"},
    {80, "update_error"},
    {90, "update_timeout"},
    {100, "factory_reset"},
    {110, "safe_mode"},
    {120, "dfu_mode"},
    {130, "panic"},
    {140, "user"},
}};

// device-os: services/inc/panic_codes.h, in code order starting at 1.
constexpr std::array<std::string_view, 15> kPanicNames{
    "hard_fault",     "nmi_fault",   "mem_manage",   "bus_fault",         "usage_fault",  "invalid_length",
    "exit",           "out_of_heap", "spi_overrun",  "assertion_failure", "invalid_case", "pure_virtual_call",
    "stack_overflow", "heap_error",  "secure_fault",
};

// Letters and digits only, lower case: "StackOverflow", "stack_overflow" and "Stack overflow"
// all become "stackoverflow".
std::string squeeze(std::string_view text) {
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u)) out.push_back(static_cast<char>(std::tolower(u)));
  }
  return out;
}

}  // namespace

std::optional<std::string_view> reset_reason_name(std::int64_t code) {
  const auto* it = std::find_if(kResetReasons.begin(), kResetReasons.end(),
                                [code](const auto& entry) { return entry.first == code; });
  if (it == kResetReasons.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string_view> panic_code_name(std::int64_t code) {
  if (code < 1 || code > static_cast<std::int64_t>(kPanicNames.size())) return std::nullopt;
  return kPanicNames[static_cast<std::size_t>(code - 1)];
}

std::optional<int> panic_code_from_name(std::string_view name) {
  const std::string wanted = squeeze(name);
  if (wanted.empty()) return std::nullopt;
  if (wanted == "invalidlenth") return 6;  // the spelling in device-os panic_codes.h
  for (std::size_t i = 0; i < kPanicNames.size(); ++i) {
    if (squeeze(kPanicNames[i]) == wanted) return static_cast<int>(i + 1);
  }
  return std::nullopt;
}

}  // namespace cyanrig
