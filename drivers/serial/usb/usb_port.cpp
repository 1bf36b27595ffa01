#include "drivers/serial/usb/usb_port.hpp"

#include <fmt/format.h>

#include <stdexcept>

#include "drivers/serial/serial_link.hpp"
#include "drivers/serial/tty/port_identity.hpp"
#include "drivers/serial/tty/raw_tty.hpp"
#include "drivers/serial/tty/tty_port.hpp"
#include "rig/clock.hpp"
#include "rig/core/text.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

// Why the port's read ends cleanly: the kernel hung it up because the device went away (the same
// words as the tty backend's, since it is the same event).
constexpr std::string_view kHungUp = "port hung up (device reset, powered off, asleep or in DFU)";

class UsbPort final : public SerialPort {
 public:
  UsbPort(Clock& clock, UsbSettings settings, UsbPortLister lister)
      : clock_(clock),
        settings_(std::move(settings)),
        lister_(std::move(lister)),
        link_(clock, describe(), kTtyPollInterval, [this] { reach(); }) {}

  void open(Listener listener) override { link_.start(std::move(listener)); }
  void close() override { link_.stop(); }
  std::string describe() const override {
    return fmt::format("usb {} {} ({} baud)", identity_name(), settings_.key, settings_.baud);
  }

 private:
  std::string_view identity_name() const {
    switch (settings_.find_by) {
      case UsbSettings::FindBy::device_id:
        return "device";
      case UsbSettings::FindBy::usb_serial:
        return "serial number";
      case UsbSettings::FindBy::path:
        return "path";
    }
    return "";
  }

  // Where the device's port is now, or nothing with the reason in `why`.
  std::optional<std::string> locate(std::string& why) const {
    if (settings_.find_by == UsbSettings::FindBy::path) return settings_.key;
    const UsbPortListing listing = lister_();
    if (!listing.error.empty()) {
      why = listing.error;
      return std::nullopt;
    }
    const UsbSerialPortInfo* port = find_port_by_serial(listing.ports, settings_.key);
    if (port == nullptr) {
      why = fmt::format(
          "no USB serial port with serial number {} (device unplugged, off, resetting, asleep or in DFU)",
          settings_.key);
      return std::nullopt;
    }
    return port->path;
  }

  void reach() {
    std::string why;
    const auto path = locate(why);
    if (!path) return link_.unreachable(why);
    // The port may vanish between listing and opening; that is one more failed attempt.
    OpenedTty tty = open_raw_tty(clock_.io(), *path, settings_.baud);
    if (!tty.stream) return link_.unreachable(tty.error);
    const auto open = PortIdentity::of_descriptor(tty.stream->native_handle());
    SerialLink::Moved moved;
    // The device is looked up again: its identity may now lead to another port (or its path to
    // another device). Not finding it is not a move: a resetting device hangs up its port itself.
    if (open) {
      moved = [this, open = *open]() -> std::optional<std::string> {
        std::string ignored;
        const auto now = locate(ignored);
        const auto there = now ? PortIdentity::of_path(*now) : std::nullopt;
        if (!there || *there == open) return std::nullopt;
        return fmt::format("port moved: {} {} is now at {}", identity_name(), settings_.key, *now);
      };
    }
    link_.attached(std::move(*tty.stream), *path, kHungUp, std::move(moved));
  }

  Clock& clock_;
  UsbSettings settings_;
  UsbPortLister lister_;
  SerialLink link_;
};

constexpr std::string_view kWhat = "usb serial backend";

// Reads whichever identity parameter is given; reports a second one as a mistake.
void read_identity(MapReader& params, const RackDevice* device, UsbSettings& settings) {
  int given = 0;
  const auto take = [&](std::string_view key, UsbSettings::FindBy find_by, const std::string& value) {
    if (++given > 1) return params.error(key, "give only one of 'device_id', 'usb_serial' and 'path'");
    if (value.empty()) return params.error(key, fmt::format("'{}' must not be empty", key));
    settings.find_by = find_by;
    settings.key = value;
  };
  if (const auto id = params.text("device_id")) {
    const auto parsed = DeviceId::parse(*id);
    if (!parsed)
      params.error("device_id", fmt::format("'device_id' must be 24 hex characters, found '{}'", *id));
    take("device_id", UsbSettings::FindBy::device_id, parsed ? parsed->str() : *id);
  }
  if (const auto serial = params.text("usb_serial"))
    take("usb_serial", UsbSettings::FindBy::usb_serial, *serial);
  if (const auto path = params.text("path")) take("path", UsbSettings::FindBy::path, *path);
  if (given > 0) return;
  if (device == nullptr)
    return params.error("backend", "usb serial backend needs 'device_id', 'usb_serial' or 'path'");
  settings.key = device->id.str();  // a Particle device's USB serial number is its device ID
}

}  // namespace

std::optional<UsbSettings> read_usb_settings(const BackendSpec& spec, const RackDevice* device,
                                             Diagnostics& diags) {
  const std::size_t problems = diags.size();
  MapReader params(spec.params, spec.loc.file, diags, std::string(kWhat));
  params.node("backend");
  UsbSettings settings;
  read_identity(params, device, settings);
  if (const auto baud = params.integer("baud", false, 50, 4'000'000))
    settings.baud = static_cast<std::uint32_t>(*baud);
  params.finish();
  if (diags.size() != problems) return std::nullopt;
  return settings;
}

std::unique_ptr<SerialPort> make_usb_port(Clock& clock, UsbSettings settings, UsbPortLister lister) {
  return std::make_unique<UsbPort>(clock, std::move(settings), std::move(lister));
}

BackendFactory<SerialPort> usb_serial_backend() {
  return {.validate = [](const BackendSite& site,
                         Diagnostics& diags) { read_usb_settings(site.spec, site.device, diags); },
          .create =
              [](const BackendSite& site, BackendContext& ctx) {
                Diagnostics diags;
                auto settings = read_usb_settings(site.spec, site.device, diags);
                if (!settings) throw std::runtime_error(diags.items().front().to_string());
                // The device may well be absent now (off in the rack's safe state): open() waits.
                return make_usb_port(ctx.clock(), std::move(*settings));
              },
          .claims = [](const BackendSite& site) -> std::vector<ResourceClaim> {
            Diagnostics ignored;  // validate() reports them
            const auto settings = read_usb_settings(site.spec, site.device, ignored);
            if (!settings) return {};
            const char* keys[] = {"device_id", "usb_serial", "path"};
            SourceLoc loc = site.spec.loc;
            for (const char* key : keys) {
              if (site.spec.params[key].IsDefined()) loc = loc_of(site.spec.params[key], site.spec.loc.file);
            }
            if (settings->find_by == UsbSettings::FindBy::path)
              return {serial_path_claim(settings->key, loc)};
            // A Particle device's USB serial number is its device ID: both name one USB device.
            const std::string serial = lower(settings->key);
            return {{"usb serial " + serial, "USB serial number " + serial, loc}};
          }};
}

}  // namespace cyanrig
