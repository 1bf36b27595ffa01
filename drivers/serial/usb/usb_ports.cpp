#include "drivers/serial/usb/usb_ports.hpp"

#include <libserialport.h>

#include <algorithm>
#include <memory>

namespace cyanrig {
namespace {

// Every libserialport handle this file takes, freed exactly once.
struct PortListFree {
  void operator()(sp_port** list) const { sp_free_port_list(list); }
};
using PortList = std::unique_ptr<sp_port*[], PortListFree>;

struct ErrorMessageFree {
  void operator()(char* message) const { sp_free_error_message(message); }
};
using ErrorMessage = std::unique_ptr<char, ErrorMessageFree>;

// libserialport returns null for text the system does not have.
std::string text(const char* maybe) {
  return maybe == nullptr ? std::string() : std::string(maybe);
}

std::string last_error() {
  const ErrorMessage message(sp_last_error_message());
  return text(message.get());
}

UsbSerialPortInfo describe(const sp_port* port) {
  UsbSerialPortInfo info{.path = text(sp_get_port_name(port)),
                         .serial = text(sp_get_port_usb_serial(port)),
                         .description = text(sp_get_port_description(port)),
                         .manufacturer = text(sp_get_port_usb_manufacturer(port))};
  if (sp_get_port_usb_vid_pid(port, &info.vid, &info.pid) != SP_OK) info.vid = info.pid = 0;
  return info;
}

char lower(char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool same_ignoring_case(std::string_view a, std::string_view b) {
  return std::ranges::equal(a, b, [](char x, char y) { return lower(x) == lower(y); });
}

}  // namespace

UsbPortListing list_usb_serial_ports() {
  sp_port** raw = nullptr;
  const sp_return listed = sp_list_ports(&raw);
  const PortList list(raw);
  if (listed != SP_OK) return {.error = "cannot list serial ports: " + last_error()};

  UsbPortListing listing;
  for (sp_port** port = list.get(); port != nullptr && *port != nullptr; ++port) {
    if (sp_get_port_transport(*port) == SP_TRANSPORT_USB) listing.ports.push_back(describe(*port));
  }
  std::ranges::sort(listing.ports, {}, &UsbSerialPortInfo::path);
  return listing;
}

const UsbSerialPortInfo* find_port_by_serial(const std::vector<UsbSerialPortInfo>& ports,
                                             std::string_view serial) {
  const auto it = std::ranges::find_if(
      ports, [&](const UsbSerialPortInfo& port) { return same_ignoring_case(port.serial, serial); });
  return it == ports.end() ? nullptr : &*it;
}

}  // namespace cyanrig
