// The module prefix a Particle binary begins with (device-os dynalib/inc/module_info.h, module_info_t,
// little-endian): where the module lives in flash, what it is and which platform it was built for.
// particle-cli's `flash --usb` writes a binary at its prefix's start address; dfu_flash does the same.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace cyanrig {

struct ModulePrefix {
  std::uint32_t start_address = 0;  // the module's first byte in flash
  std::uint32_t end_address = 0;    // one past its last byte; the file's 4-byte CRC-32 follows
  std::uint8_t flags = 0;           // ModuleFlag bits
  std::uint16_t version = 0;        // module_version
  std::uint16_t platform_id = 0;    // Platform::id it was built for
  std::uint8_t function = 0;        // ModuleFunction
  std::uint8_t index = 0;

  // What a file holding exactly this module measures: the module and its CRC.
  std::uintmax_t file_size() const;
};

// Bytes of module_info_t: two addresses, reserved, flags, version, platform, function, index and two
// 4-byte dependencies.
inline constexpr std::size_t kModulePrefixSize = 24;

// module_function values (device-os module_info.h).
enum class ModuleFunction : std::uint8_t {
  none = 0,
  resource = 1,
  bootloader = 2,
  mono_firmware = 3,
  system_part = 4,
  user_part = 5,  // an application
  settings = 6,
  ncp_firmware = 7,
  radio_stack = 8,
  asset = 9,
};

// module_info_flags_t bits a raw flash write cannot honour: the bootloader strips the prefix, or an
// OTA update unpacks or combines the module, before it can run.
enum class ModuleFlag : std::uint8_t {
  drop_module_info = 0x01,
  compressed = 0x02,
  combined = 0x04,
  encrypted = 0x08,
};

// The prefix at the start of `bytes`; nothing when there are fewer than kModulePrefixSize.
std::optional<ModulePrefix> read_module_prefix(std::span<const unsigned char> bytes);

// "user part", "system part", "bootloader", ..., or "module function 12" for one device-os does not name.
std::string module_function_name(std::uint8_t function);
// The ModuleFlag bits set in `flags`, by name: "compressed, encrypted"; "" when none is.
std::string raw_write_flag_names(std::uint8_t flags);

}  // namespace cyanrig
