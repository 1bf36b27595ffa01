// Numeric codes Device OS prints or signals, and the names cyanrig uses for them
// (particle-reference.md §2 and §6). Pure lookups, shared by the log parser and anything that
// reports resets or SOS codes.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace cyanrig {

// System reset reason code (`Last reset reason: 130`) -> the name the cloud uses in
// spark/device/last_reset: 20 -> "pin_reset", 130 -> "panic", ... nullopt for codes Device OS
// does not define.
std::optional<std::string_view> reset_reason_name(std::int64_t code);

// SOS panic code -> snake_case name: 1 -> "hard_fault", 13 -> "stack_overflow", ...
std::optional<std::string_view> panic_code_name(std::int64_t code);

// The reverse, loosely: "HardFault", "hard fault", "stack_overflow", "Stack Overflow" all match,
// as does Device OS's own misspelt "InvalidLenth".
std::optional<int> panic_code_from_name(std::string_view name);

}  // namespace cyanrig
