#include "drivers/sim/firmware_update.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>

namespace cyanrig::sim {
namespace {

using std::chrono::milliseconds;

constexpr Span kValidate{milliseconds(150), milliseconds(400)};
constexpr Span kApply{milliseconds(100), milliseconds(300)};
constexpr Span kResetAfterApply{milliseconds(300), milliseconds(700)};

}  // namespace

FirmwareUpdate::FirmwareUpdate(DeviceParts& parts, Hooks hooks)
    : parts_(parts), hooks_(std::move(hooks)), steps_(parts.clock) {}

void FirmwareUpdate::begin(std::uintmax_t bytes, std::string version, bool corrupt) {
  steps_.stop();
  corrupt_ = corrupt;
  active_ = true;
  transferring_ = true;
  started_ = parts_.clock.now();
  version_ = std::move(version);
  parts_.led.show("fast_blinking_magenta");
  parts_.log.info(category::kOta, "Received UpdateStart request");
  parts_.log.info(category::kOta, fmt::format("File size: {}", bytes));
  parts_.log.info(category::kOta, "Starting firmware update");
  hooks_.on_status("started ");

  const DeviceTiming& t = parts_.timing;
  const auto at_rate = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double>(static_cast<double>(bytes) / t.ota_bytes_per_second));
  const auto transfer = std::chrono::duration_cast<Duration>(std::max(at_rate, t.ota_min_transfer) *
                                                             parts_.random.uniform(0.9, 1.1));
  steps_.then(transfer, [this] { transfer_complete(); });
  if (!parts_.segment.cloud_reachable()) stalled();
}

void FirmwareUpdate::transfer_complete() {
  transferring_ = false;
  parts_.log.info(category::kOta, "Received UpdateFinish request");
  steps_
      .then(parts_.draw(kValidate),
            [this] {
              parts_.log.info(category::kOta, "Validating firmware update");
              if (corrupt_) failed("Invalid firmware image");
            })
      .then(parts_.draw(kApply),
            [this] {
              const auto took = std::chrono::duration_cast<milliseconds>(parts_.clock.now() - started_);
              parts_.log.info(category::kOta, fmt::format("Update time: {}", took.count()));
              parts_.log.info(category::kOta, "Applying firmware update");
              hooks_.on_status("success ");
            })
      .then(parts_.draw(kResetAfterApply), [this] {
        active_ = false;
        hooks_.on_applied(version_);
      });
}

void FirmwareUpdate::segment_changed() {
  if (transferring_ && !parts_.segment.cloud_reachable()) stalled();
}

// The chunks stop arriving; the device waits for its transfer timeout and gives up. The outage
// lifting meanwhile does not revive it: the cloud has abandoned the transfer too.
void FirmwareUpdate::stalled() {
  transferring_ = false;
  steps_.stop();
  steps_.then(parts_.draw(parts_.timing.ota_stall_timeout), [this] { failed("Transfer timeout"); });
}

void FirmwareUpdate::cancel() {
  if (active_) failed("Cancelling firmware update");
}

void FirmwareUpdate::failed(std::string_view why) {
  steps_.stop();
  active_ = false;
  transferring_ = false;
  parts_.log.warn(category::kOta, why);
  parts_.log.error(category::kOta, "Firmware update failed");
  hooks_.on_status("failed");
  hooks_.on_failed();
}

bool FirmwareUpdate::stop() {
  const bool was_active = active_;
  steps_.stop();
  active_ = false;
  transferring_ = false;
  return was_active;
}

}  // namespace cyanrig::sim
