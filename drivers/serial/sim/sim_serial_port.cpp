#include "drivers/serial/sim/sim_serial_port.hpp"

#include <fmt/format.h>

#include <optional>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

class SimSerialPort final : public SerialPort {
 public:
  SimSerialPort(std::shared_ptr<SimWorld> world, SimDevice& device, SimSerialSettings settings)
      : world_(std::move(world)), device_(device), settings_(settings), pending_(world_->clock()) {}
  ~SimSerialPort() override { close(); }
  SimSerialPort(const SimSerialPort&) = delete;
  SimSerialPort& operator=(const SimSerialPort&) = delete;

  void open(Listener listener) override {
    close();
    const std::string path = sim_port_path(device_.rack_device());
    if (settings_.not_a_tty && listener.on_fault) {
      pending_.after(Duration{0}, [on_fault = listener.on_fault, path] {
        on_fault(
            HardwareFault{fmt::format("cannot set raw mode on {}: Inappropriate ioctl for device", path)});
      });
      return;
    }
    if (settings_.missing || settings_.not_a_tty) {
      pending_.after(Duration{0}, [on_link = listener.on_link, path] {
        if (on_link) on_link(false, fmt::format("cannot open {}: No such file or directory", path));
      });
      return;
    }
    listening_ = device_.usb().listen(std::move(listener));
  }

  void close() override {
    pending_.clear();
    if (listening_) device_.usb().unlisten(*listening_);
    listening_.reset();
  }

  std::string describe() const override {
    return fmt::format("simulated USB serial of {}", device_.rack_device().name);
  }

 private:
  std::shared_ptr<SimWorld> world_;
  SimDevice& device_;
  SimSerialSettings settings_;
  std::optional<UsbSerial::ListenerId> listening_;
  Pending pending_;  // last: its timers go before what they use
};

}  // namespace

SimSerialSettings SimSerialSettings::read(const BackendSpec& spec, Diagnostics& diags) {
  SimSerialSettings s;
  read_backend_params(spec, diags, "sim serial backend", [&](MapReader& params) {
    s.missing = params.boolean("missing").value_or(false);
    s.not_a_tty = params.boolean("not_a_tty").value_or(false);
  });
  return s;
}

std::string sim_port_path(const RackDevice& device) {
  return fmt::format("/dev/sim-{}", device.name);
}

BackendFactory<SerialPort> sim_serial_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { SimSerialSettings::read(site.spec, diags); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<SerialPort> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            SimDevice& device = world->device_for(site, "serial");
            Diagnostics ignored;  // validated before the run
            return std::make_unique<SimSerialPort>(std::move(world), device,
                                                   SimSerialSettings::read(site.spec, ignored));
          }};
}

}  // namespace cyanrig::sim
