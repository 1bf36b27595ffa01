#include "drivers/serial/sim/sim_serial_port.hpp"

#include <fmt/format.h>

#include <optional>

#include "drivers/sim/backend_params.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

class SimSerialPort final : public SerialPort {
 public:
  SimSerialPort(std::shared_ptr<SimWorld> world, SimDevice& device)
      : world_(std::move(world)), device_(device) {}
  ~SimSerialPort() override { close(); }
  SimSerialPort(const SimSerialPort&) = delete;
  SimSerialPort& operator=(const SimSerialPort&) = delete;

  void open(Listener listener) override {
    close();
    listening_ = device_.usb().listen(std::move(listener));
  }

  void close() override {
    if (listening_) device_.usb().unlisten(*listening_);
    listening_.reset();
  }

  std::string describe() const override {
    return fmt::format("simulated USB serial of {}", device_.rack_device().name);
  }

 private:
  std::shared_ptr<SimWorld> world_;
  SimDevice& device_;
  std::optional<UsbSerial::ListenerId> listening_;
};

}  // namespace

BackendFactory<SerialPort> sim_serial_backend() {
  return {.virtual_time = true,  // lives in simulated time
          .validate = [](const BackendSite& site,
                         Diagnostics& diags) { read_backend_params(site.spec, diags, "sim serial backend"); },
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<SerialPort> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            SimDevice& device = world->device_for(site, "serial");
            return std::make_unique<SimSerialPort>(std::move(world), device);
          }};
}

}  // namespace cyanrig::sim
