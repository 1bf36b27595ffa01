#include "drivers/serial/device_port.hpp"

#include <fmt/format.h>

#include "drivers/serial/tty/tty_port.hpp"
#include "drivers/serial/usb/baud_nudge.hpp"
#include "drivers/serial/usb/usb_port.hpp"
#include "drivers/serial/usb/usb_ports.hpp"

namespace cyanrig {

std::variant<PortPath, PortProblem> current_serial_port(const RackDevice& device) {
  if (!device.serial)
    return PortProblem{true, fmt::format("{}: the rack gives it no serial port", device.name)};
  const BackendSpec& spec = *device.serial;
  Diagnostics diags;
  if (spec.backend == "tty") {
    const auto settings = read_tty_settings(spec, diags);
    if (!settings) return PortProblem{true, diags.items().front().to_string()};
    return PortPath{settings->path};
  }
  if (spec.backend == "usb") {
    const auto settings = read_usb_settings(spec, &device, diags);
    if (!settings) return PortProblem{true, diags.items().front().to_string()};
    if (settings->find_by == UsbSettings::FindBy::path) return PortPath{settings->key};
    const UsbPortListing listing = list_usb_serial_ports();
    if (!listing.error.empty()) return PortProblem{false, fmt::format("{}: {}", device.name, listing.error)};
    if (const auto* port = find_port_by_serial(listing.ports, settings->key)) return PortPath{port->path};
    return PortProblem{false, fmt::format("{}: no USB serial port with serial number {} (is it connected and "
                                          "powered? `cyanrig discover` lists what is there)",
                                          device.name, settings->key)};
  }
  return PortProblem{
      true, fmt::format("{}: its serial backend '{}' has no local port to open", device.name, spec.backend)};
}

int trigger_baud(UsbMode mode) {
  return mode == UsbMode::dfu ? kDfuModeBaud : kListeningModeBaud;
}

Status request_usb_mode(const std::string& path, UsbMode mode) {
  return nudge_baud(path, trigger_baud(mode));
}

}  // namespace cyanrig
