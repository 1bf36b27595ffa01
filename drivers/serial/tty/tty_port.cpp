#include "drivers/serial/tty/tty_port.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>

#include "drivers/serial/serial_link.hpp"
#include "drivers/serial/tty/port_identity.hpp"
#include "drivers/serial/tty/raw_tty.hpp"
#include "rig/clock.hpp"
#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {
namespace {

// Why a tty's read ends cleanly: the kernel hung it up because the device went away.
constexpr std::string_view kHungUp = "port hung up (device reset, powered off, asleep or in DFU)";

// The path as given, plus what it resolves to when that differs: a by-id symlink names the
// device, the target says which /dev/ttyACM it re-enumerated as this time.
std::string where(const std::string& path) {
  std::error_code ignored;
  const std::filesystem::path target = std::filesystem::canonical(path, ignored);
  if (target.empty() || target == path) return path;
  return fmt::format("{} -> {}", path, target.string());
}

class TtyPort final : public SerialPort {
 public:
  TtyPort(Clock& clock, TtySettings settings)
      : clock_(clock),
        settings_(std::move(settings)),
        link_(clock, describe(), kTtyPollInterval, [this] { reach(); }) {}

  void open(Listener listener) override { link_.start(std::move(listener)); }
  void close() override { link_.stop(); }
  std::string describe() const override {
    return fmt::format("tty {} ({} baud)", settings_.path, settings_.baud);
  }

 private:
  void reach() {
    OpenedTty tty = open_raw_tty(clock_.io(), settings_.path, settings_.baud);
    if (!tty.stream && tty.never_works()) return link_.fault(tty.error);
    if (!tty.stream) return link_.unreachable(tty.error);
    const auto open = PortIdentity::of_descriptor(tty.stream->native_handle());
    SerialLink::Moved moved;
    if (open) moved = [path = settings_.path, open = *open] { return port_moved(path, open); };
    link_.attached(std::move(*tty.stream), where(settings_.path), kHungUp, std::move(moved));
  }

  Clock& clock_;
  TtySettings settings_;
  SerialLink link_;
};

}  // namespace

std::optional<TtySettings> read_tty_settings(const BackendSpec& spec, Diagnostics& diags) {
  const std::size_t problems = diags.size();
  MapReader params(spec.params, spec.loc.file, diags, "tty serial backend");
  params.node("backend");
  TtySettings settings;
  if (const auto path = params.text("path", true)) {
    if (path->empty()) params.error("path", "'path' must name a tty, e.g. /dev/ttyACM0");
    settings.path = *path;
  }
  if (const auto baud = params.integer("baud", false, 50, 4'000'000))
    settings.baud = static_cast<std::uint32_t>(*baud);
  params.finish();
  if (diags.size() != problems) return std::nullopt;
  return settings;
}

ResourceClaim serial_path_claim(const std::string& path, SourceLoc loc) {
  const std::string normal = std::filesystem::path(path).lexically_normal().string();
  return {"serial " + normal, "serial port " + normal, std::move(loc)};
}

std::unique_ptr<SerialPort> make_tty_port(Clock& clock, TtySettings settings) {
  return std::make_unique<TtyPort>(clock, std::move(settings));
}

BackendFactory<SerialPort> tty_serial_backend() {
  return {
      .validate = [](const BackendSite& site, Diagnostics& diags) { read_tty_settings(site.spec, diags); },
      .create =
          [](const BackendSite& site, BackendContext& ctx) {
            Diagnostics diags;
            auto settings = read_tty_settings(site.spec, diags);
            if (!settings) throw std::runtime_error(diags.items().front().to_string());
            // The port may well be absent now (device off in the rack's safe state): open() waits.
            return make_tty_port(ctx.clock(), std::move(*settings));
          },
      .claims = [](const BackendSite& site) -> std::vector<ResourceClaim> {
        Diagnostics ignored;  // validate() reports them
        const auto settings = read_tty_settings(site.spec, ignored);
        if (!settings) return {};
        return {serial_path_claim(settings->path, loc_of(site.spec.params["path"], site.spec.loc.file))};
      }};
}

}  // namespace cyanrig
