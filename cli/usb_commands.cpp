// USB serial rig actions: `cyanrig discover` lists USB serial ports (Particle devices with their ID
// and platform) and prints rack-file entries for them; `cyanrig serial dfu|listening DEVICE` puts a
// rack device into DFU or listening mode by opening its port at the trigger baud rate.
#include <fmt/format.h>

#include <memory>

#include "cli/commands.hpp"
#include "cli/rack_choice.hpp"
#include "drivers/serial/device_port.hpp"
#include "drivers/serial/usb/discover_report.hpp"

namespace cyanrig::cli {
namespace {

struct ModeArgs {
  std::string device;
  std::string rack;
  Duration lock_wait{0};
};

int cmd_discover() {
  const UsbPortListing listing = list_usb_serial_ports();
  if (!listing.error.empty()) {
    fmt::print(stderr, "cyanrig discover: {}\n", listing.error);
    return kExitInfrastructure;
  }
  fmt::print("{}\n{}", format_discover_table(listing.ports), format_rack_snippet(listing.ports));
  return kExitPass;
}

int cmd_usb_mode(const ModeArgs& args, UsbMode mode) {
  const auto rack = open_rack(args.rack);
  if (!rack) return kExitInvalid;
  const RackDevice* device = rack->find_device(args.device);
  if (device == nullptr) {
    fmt::print(stderr, "cyanrig: no device '{}' in rack '{}' ({})\n", args.device, rack->name, rack->file);
    return kExitInvalid;
  }
  const auto port = current_serial_port(*device);
  if (const auto* problem = std::get_if<PortProblem>(&port)) {
    fmt::print(stderr, "cyanrig: {}\n", problem->message);
    return problem->usage ? kExitInvalid : kExitInfrastructure;
  }
  const std::string& path = std::get<PortPath>(port).path;
  const auto lock = lock_rack(
      *rack,
      {.command = fmt::format("serial {} {}", mode == UsbMode::dfu ? "dfu" : "listening", device->name),
       .wait = args.lock_wait});
  if (!lock) return kExitInfrastructure;
  if (const Status status = request_usb_mode(path, mode); !status.ok()) {
    fmt::print(stderr, "cyanrig: {}: {}\n", device->name, status.message());
    return kExitInfrastructure;
  }
  fmt::print("{}: opened {} at {} baud: the device should now be in {} mode\n", device->name, path,
             trigger_baud(mode), mode == UsbMode::dfu ? "DFU" : "listening");
  return kExitPass;
}

}  // namespace

void add_usb_commands(CLI::App& app, Subcommands& commands) {
  auto* discover = app.add_subcommand("discover",
                                      "List USB serial ports (Particle devices with their device ID and "
                                      "platform) and print rack-file entries for them");
  commands.on(discover, [] { return cmd_discover(); });

  auto args = std::make_shared<ModeArgs>();
  auto* serial = app.add_subcommand("serial", "USB serial rig actions on a rack device");
  serial->require_subcommand(1);
  auto* dfu = serial->add_subcommand("dfu", "Put DEVICE into DFU mode (opens its port at 14400 baud)");
  auto* listening =
      serial->add_subcommand("listening", "Put DEVICE into listening mode (opens its port at 28800 baud)");
  for (auto* cmd : {dfu, listening}) {
    cmd->add_option("device", args->device, "Device name or ID in the rack")->required();
    cmd->add_option("--rack", args->rack, "Rack file (default: the built-in simulated rack)");
    add_lock_wait_option(*cmd, args->lock_wait);
  }
  commands.on(dfu, [args] { return cmd_usb_mode(*args, UsbMode::dfu); });
  commands.on(listening, [args] { return cmd_usb_mode(*args, UsbMode::listening); });
}

}  // namespace cyanrig::cli
