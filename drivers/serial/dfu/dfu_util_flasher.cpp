#include "drivers/serial/dfu/dfu_util_flasher.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <stdexcept>
#include <variant>

#include "drivers/posix/command_params.hpp"
#include "drivers/posix/shell_command.hpp"
#include "drivers/posix/shell_quote.hpp"
#include "drivers/serial/device_port.hpp"
#include "drivers/serial/dfu/dfu_attempt.hpp"

namespace cyanrig {
namespace {

class DfuUtilFlasher final : public DfuFlasher {
 public:
  DfuUtilFlasher(Clock& clock, const RackDevice& device, std::vector<std::string> withheld)
      : clock_(clock), device_(device), withheld_(std::move(withheld)) {}

  // A flash still going is abandoned (its dfu-util killed, its listener never called).
  void flash(const DfuImage& image, Duration wait, Listener listener) override {
    attempt_.reset();
    dfu_util_ = ShellCommand();
    const std::string command = shell_words(dfu_util_words(device_, image));
    attempt_ = std::make_unique<DfuAttempt>(
        clock_,
        DfuAttempt::Hooks{.look = [this] { return look(); },
                          .ask = [](const std::string& path) { return request_usb_mode(path, UsbMode::dfu); },
                          .run_dfu_util = [this, command](auto answer) { run(command, std::move(answer)); },
                          .command_line = command},
        wait, std::move(listener));
  }

  std::string describe() const override {
    return fmt::format("DFU flasher of {} ({} serial port, dfu-util)", device_.name, device_.serial->backend);
  }

 private:
  // The `tty` path, or the port the `usb` backend would pick by identity, if it is there.
  DfuAttempt::Port look() const {
    const auto where = current_serial_port(device_);
    if (const auto* problem = std::get_if<PortProblem>(&where)) return {std::nullopt, problem->message};
    const std::string& path = std::get<PortPath>(where).path;
    std::error_code ec;
    if (!std::filesystem::exists(path, ec)) {
      return {std::nullopt, fmt::format("cannot open {}: No such file or directory", path)};
    }
    return {path, ""};
  }

  // stdout goes to stderr too: "File downloaded successfully" tells a flash from a failure.
  void run(const std::string& command, std::function<void(DfuUtilAnswer)> answer) {
    const CommandSpec spec{
        .text = fmt::format("exec {} 1>&2", command), .timeout = kDfuWriteLimit, .withheld = withheld_};
    dfu_util_ = ShellCommand::start(clock_, spec, [answer = std::move(answer)](const CommandResult& result) {
      answer(read_dfu_util_answer(result, kDfuWriteLimit));
    });
  }

  Clock& clock_;
  const RackDevice& device_;
  std::vector<std::string> withheld_;
  std::unique_ptr<DfuAttempt> attempt_;
  ShellCommand dfu_util_;  // last: killed before the attempt it answers goes
};

}  // namespace

std::unique_ptr<DfuFlasher> make_dfu_util_flasher(Clock& clock, const RackDevice& device,
                                                  std::vector<std::string> withheld) {
  return std::make_unique<DfuUtilFlasher>(clock, device, std::move(withheld));
}

BackendFactory<DfuFlasher> dfu_util_flasher_backend() {
  return {.create = [](const BackendSite& site, BackendContext& ctx) -> std::unique_ptr<DfuFlasher> {
    if (site.device == nullptr || site.device->platform == nullptr || !site.device->serial) {
      throw std::runtime_error("a DFU flasher needs a device with a platform and a serial port");
    }
    return make_dfu_util_flasher(ctx.clock(), *site.device, withheld_variables(ctx.rack(), {}));
  }};
}

}  // namespace cyanrig
