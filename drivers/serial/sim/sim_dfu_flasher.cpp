#include "drivers/serial/sim/sim_dfu_flasher.hpp"

#include <fmt/format.h>

#include <memory>

#include "drivers/posix/shell_quote.hpp"
#include "drivers/serial/dfu/dfu_attempt.hpp"
#include "drivers/serial/sim/sim_serial_port.hpp"
#include "drivers/serial/usb/baud_nudge.hpp"
#include "drivers/sim/sim_world.hpp"

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

constexpr Duration kNoDeviceAnswer = milliseconds(20);  // dfu-util scanning the bus and finding nothing
constexpr Duration kWatchDownload = milliseconds(100);
constexpr std::string_view kNoDevice = "dfu-util: No DFU capable USB device available";

class SimDfuFlasher final : public DfuFlasher {
 public:
  SimDfuFlasher(std::shared_ptr<SimWorld> world, SimDevice& device, SimSerialSettings settings)
      : world_(std::move(world)), device_(device), settings_(settings), pending_(world_->clock()) {}
  SimDfuFlasher(const SimDfuFlasher&) = delete;
  SimDfuFlasher& operator=(const SimDfuFlasher&) = delete;

  // A flash still going is abandoned (its listener never called).
  void flash(const DfuImage& image, Duration wait, Listener listener) override {
    attempt_.reset();
    pending_.clear();
    const std::string command = shell_words(dfu_util_words(device_.rack_device(), image)) + " (simulated)";
    attempt_ = std::make_unique<DfuAttempt>(
        world_->clock(),
        DfuAttempt::Hooks{
            .look = [this] { return look(); },
            .ask = [this](const std::string&) { return ask(); },
            .run_dfu_util = [this, bytes = image.bytes](auto answer) { run(bytes, std::move(answer)); },
            .command_line = command},
        wait, std::move(listener));
  }

  std::string describe() const override {
    return fmt::format("DFU flasher of simulated {}", device_.rack_device().name);
  }

 private:
  std::string path() const { return sim_port_path(device_.rack_device()); }

  DfuAttempt::Port look() const {
    if (settings_.missing || settings_.not_a_tty || !device_.usb().attached()) {
      return {std::nullopt, fmt::format("cannot open {}: No such file or directory", path())};
    }
    return {path(), ""};
  }

  Status ask() {
    device_.usb_baud_requested(kDfuModeBaud);
    return Status{};
  }

  void run(std::uintmax_t bytes, std::function<void(DfuUtilAnswer)> answer) {
    if (!device_.in_dfu() || !device_.dfu_download(bytes)) {
      pending_.after(kNoDeviceAnswer, [answer = std::move(answer)] {
        answer({DfuUtilAnswer::Kind::no_device, std::string(kNoDevice)});
      });
      return;
    }
    watch_download(device_.dfu_downloads(), std::move(answer));
  }

  // The download ends with the device leaving DFU mode: counted when it was written, not when the
  // power went.
  void watch_download(int before, std::function<void(DfuUtilAnswer)> answer) {
    pending_.after(kWatchDownload, [this, before, answer = std::move(answer)]() mutable {
      if (device_.dfu_downloads() > before) {
        answer({DfuUtilAnswer::Kind::flashed, "File downloaded successfully"});
      } else if (!device_.in_dfu()) {
        answer({DfuUtilAnswer::Kind::failed, "dfu-util: Error during download (the device left DFU mode)"});
      } else {
        watch_download(before, std::move(answer));
      }
    });
  }

  std::shared_ptr<SimWorld> world_;
  SimDevice& device_;
  SimSerialSettings settings_;
  std::unique_ptr<DfuAttempt> attempt_;
  Pending pending_;  // last: its timers go before what they use
};

}  // namespace

BackendFactory<DfuFlasher> sim_dfu_backend() {
  return {.virtual_time = true,
          .create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<DfuFlasher> {
            std::shared_ptr<SimWorld> world = SimWorld::of(ctx);
            SimDevice& device = world->device_for(site, "serial");
            Diagnostics ignored;  // validated with the serial port
            return std::make_unique<SimDfuFlasher>(std::move(world), device,
                                                   SimSerialSettings::read(site.spec, ignored));
          }};
}

}  // namespace cyanrig::sim
