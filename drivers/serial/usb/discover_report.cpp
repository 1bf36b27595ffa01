#include "drivers/serial/usb/discover_report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <map>

namespace cyanrig {
namespace {

struct KnownProduct {
  int pid;  // in normal mode; the DFU bootloader enumerates as 0xd0xx with the same low byte
  std::string_view platform;
};

// Particle's USB product ids, by platform (the names rack files use).
constexpr std::array kParticleProducts{
    KnownProduct{0xc006, "photon"},  KnownProduct{0xc008, "p1"},    KnownProduct{0xc00a, "electron"},
    KnownProduct{0xc00c, "argon"},   KnownProduct{0xc00d, "boron"}, KnownProduct{0xc017, "bsom"},
    KnownProduct{0xc01a, "tracker"}, KnownProduct{0xc020, "p2"},    KnownProduct{0xc023, "msom"},
};
constexpr int kDfuProductOffset = 0xd000 - 0xc000;

constexpr std::string_view kNone = "-";

std::string usb_id(const UsbSerialPortInfo& port) {
  return fmt::format("{:04x}:{:04x}", port.vid, port.pid);
}

std::string platform_column(const UsbSerialPortInfo& port) {
  if (port.vid != kParticleUsbVendor) return std::string(kNone);
  const ParticleUsbProduct product = particle_product(port.pid);
  return product.dfu ? fmt::format("{} (DFU)", product.platform) : std::string(product.platform);
}

// The columns of one row, in header order.
using Row = std::array<std::string, 6>;

Row row_of(const UsbSerialPortInfo& port) {
  const auto id = particle_device_id(port);
  const auto or_none = [](const std::string& s) { return s.empty() ? std::string(kNone) : s; };
  return {port.path,
          usb_id(port),
          or_none(port.serial),
          or_none(port.description),
          id ? id->str() : std::string(kNone),
          platform_column(port)};
}

// Columns as wide as their widest cell, two spaces apart; the last one unpadded.
std::string format_rows(const std::vector<Row>& rows) {
  std::array<std::size_t, 6> width{};
  for (const Row& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  std::string out;
  for (const Row& row : rows) {
    for (std::size_t i = 0; i + 1 < row.size(); ++i) out += fmt::format("{:<{}}  ", row[i], width[i]);
    out += row.back() + "\n";
  }
  return out;
}

}  // namespace

ParticleUsbProduct particle_product(int pid) {
  for (const KnownProduct& known : kParticleProducts) {
    if (pid == known.pid) return {known.platform, false};
    if (pid == known.pid + kDfuProductOffset) return {known.platform, true};
  }
  return {"unknown", false};
}

std::optional<DeviceId> particle_device_id(const UsbSerialPortInfo& port) {
  if (port.vid != kParticleUsbVendor) return std::nullopt;
  return DeviceId::parse(port.serial);
}

std::string format_discover_table(const std::vector<UsbSerialPortInfo>& ports) {
  std::vector<Row> rows{{"path", "VID:PID", "serial", "description", "Particle device ID", "platform"}};
  for (const UsbSerialPortInfo& port : ports) rows.push_back(row_of(port));
  std::string out = format_rows(rows);
  if (ports.empty()) out += "no USB serial ports found\n";
  return out;
}

std::string format_rack_snippet(const std::vector<UsbSerialPortInfo>& ports) {
  std::string entries;
  std::map<std::string, int, std::less<>> per_name;  // argon-1, argon-2, ...
  for (const UsbSerialPortInfo& port : ports) {
    const auto id = particle_device_id(port);
    if (!id) continue;
    const std::string_view platform = particle_product(port.pid).platform;
    const bool known = platform != "unknown";
    const std::string stem = known ? std::string(platform) : "device";
    entries += fmt::format("  - name: {}-{}  # placeholder: the name on the device's label\n", stem,
                           ++per_name[stem]);
    entries += fmt::format("    id: {}\n", id->str());
    entries += known
                   ? fmt::format("    platform: {}\n", platform)
                   : fmt::format("    platform: unknown  # USB product {:04x}: set the platform\n", port.pid);
    entries += "    serial: {backend: usb}  # found by its device ID wherever it re-enumerates\n";
  }
  if (entries.empty()) return "# no Particle devices (USB vendor 2b04) found\n";
  return "# rack-file entries for the Particle devices found: name them, then add power, led, segment\n"
         "devices:\n" +
         entries;
}

}  // namespace cyanrig
