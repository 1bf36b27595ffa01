#include "drivers/serial/dfu/dfu_util_command.hpp"

#include <fmt/format.h>

#include <string_view>

#include "drivers/serial/usb/usb_ports.hpp"

namespace cyanrig {
namespace {

constexpr std::string_view kNoDevice = "No DFU capable USB device available";
constexpr std::string_view kWritten = "File downloaded successfully";
constexpr std::string_view kLeaveQuirk = "Error during download get_status";

bool has(std::string_view text, std::string_view part) {
  return text.find(part) != std::string_view::npos;
}

// The last line with something on it (dfu-util draws its progress bar with carriage returns).
std::string last_line(std::string_view text) {
  std::string_view last;
  while (!text.empty()) {
    const auto end = text.find_first_of("\r\n");
    std::string_view line = text.substr(0, end);
    text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (!line.empty()) last = line;
  }
  return std::string(last);
}

}  // namespace

int dfu_product_id(const Platform& platform) {
  return 0xd000 | platform.id;
}

std::vector<std::string> dfu_util_words(const RackDevice& device, const DfuImage& image) {
  return {"dfu-util",
          "-d",
          fmt::format("{:04x}:{:04x}", kParticleUsbVendor, dfu_product_id(*device.platform)),
          "-S",
          device.id.str(),
          "-a",
          "0",
          "-s",
          fmt::format("0x{:08x}:leave", image.address),
          "-D",
          image.file};
}

DfuUtilAnswer read_dfu_util_answer(const CommandResult& result, Duration timeout) {
  using Kind = DfuUtilAnswer::Kind;
  const std::string_view text = result.stderr_text;
  const std::string line = last_line(text);
  if (result.exited_with(0)) return {Kind::flashed, line};
  if (result.ending == CommandResult::Ending::exited && has(text, kWritten) && has(line, kLeaveQuirk))
    return {Kind::flashed, line};
  if (result.ending == CommandResult::Ending::exited && has(line, kNoDevice)) return {Kind::no_device, line};
  if (result.exited_with(127)) {
    return {Kind::failed,
            "dfu-util is not installed (Debian: apt install dfu-util; the cyanrig package "
            "recommends it)"};
  }
  if (has(line, "LIBUSB_ERROR_ACCESS")) {
    return {Kind::failed, fmt::format("{} (the rig's user may not open the device: give it a udev rule for "
                                      "USB vendor 2b04)",
                                      line)};
  }
  if (result.ending != CommandResult::Ending::exited || line.empty())
    return {Kind::failed, fmt::format("dfu-util {}", describe_ending(result, timeout))};
  return {Kind::failed, line};
}

}  // namespace cyanrig
