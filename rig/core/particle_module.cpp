#include "rig/core/particle_module.hpp"

#include <fmt/format.h>

#include <array>
#include <string_view>

namespace cyanrig {
namespace {

std::uint32_t le32(std::span<const unsigned char> b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at]) | static_cast<std::uint32_t>(b[at + 1]) << 8U |
         static_cast<std::uint32_t>(b[at + 2]) << 16U | static_cast<std::uint32_t>(b[at + 3]) << 24U;
}

std::uint16_t le16(std::span<const unsigned char> b, std::size_t at) {
  return static_cast<std::uint16_t>(b[at] | b[at + 1] << 8U);
}

constexpr std::array<std::string_view, 10> kFunctionNames = {
    "module of no function", "resource",  "bootloader", "monolithic firmware",
    "system part",           "user part", "settings",   "NCP firmware",
    "radio stack",           "asset"};

struct FlagName {
  ModuleFlag flag;
  std::string_view name;
};
constexpr std::array<FlagName, 4> kRawWriteFlags = {{{ModuleFlag::drop_module_info, "drop module info"},
                                                     {ModuleFlag::compressed, "compressed"},
                                                     {ModuleFlag::combined, "combined"},
                                                     {ModuleFlag::encrypted, "encrypted"}}};

}  // namespace

std::uintmax_t ModulePrefix::file_size() const {
  if (end_address < start_address) return 0;
  return std::uintmax_t{end_address} - start_address + 4;
}

std::optional<ModulePrefix> read_module_prefix(std::span<const unsigned char> bytes) {
  if (bytes.size() < kModulePrefixSize) return std::nullopt;
  ModulePrefix p;
  p.start_address = le32(bytes, 0);
  p.end_address = le32(bytes, 4);
  // bytes[8] is reserved
  p.flags = bytes[9];
  p.version = le16(bytes, 10);
  p.platform_id = le16(bytes, 12);
  p.function = bytes[14];
  p.index = bytes[15];
  return p;
}

std::string module_function_name(std::uint8_t function) {
  if (function < kFunctionNames.size()) return std::string(kFunctionNames[function]);
  return fmt::format("module function {}", function);
}

std::string raw_write_flag_names(std::uint8_t flags) {
  std::string out;
  for (const FlagName& f : kRawWriteFlags) {
    if ((flags & static_cast<std::uint8_t>(f.flag)) != 0)
      out += (out.empty() ? "" : ", ") + std::string(f.name);
  }
  return out;
}

}  // namespace cyanrig
