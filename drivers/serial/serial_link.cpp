#include "drivers/serial/serial_link.hpp"

#include <spdlog/spdlog.h>

#include "rig/core/component_log.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

spdlog::logger& serial_log() {
  return component_log("serial");
}

}  // namespace

SerialLink::SerialLink(Clock& clock, std::string port, Duration retry, Reach reach)
    : clock_(clock), port_(std::move(port)), retry_(retry), reach_(std::move(reach)) {}

void SerialLink::start(SerialPort::Listener listener) {
  stop();
  ++session_;
  listener_ = std::make_shared<const SerialPort::Listener>(std::move(listener));
  ever_attached_ = false;
  complained_ = false;
  retry_timer_ = clock_.after(Duration::zero(), [this] { reach_(); });
}

void SerialLink::stop() {
  ++session_;
  listener_.reset();
  retry_timer_.cancel();
  identity_timer_.cancel();
  if (reader_) reader_->stop();
  reader_.reset();
}

void SerialLink::unreachable(const std::string& reason) {
  if (!started()) return;
  if (!complained_) {
    // A port missing since the start is likely a wrong path or a device that is off; a port
    // missing after a detach is the device resetting, sleeping or in DFU, which scenarios cause.
    const auto level = ever_attached_ ? spdlog::level::info : spdlog::level::warn;
    serial_log().log(level, "{}: {}; trying again every {}", port_, reason, format_duration(retry_));
    complained_ = true;
    // A port never reached is said once, with why; after a detach the detach has said it.
    if (!ever_attached_ && !tell(false, reason)) return;
  } else {
    serial_log().debug("{}: {}", port_, reason);
  }
  retry_later();
}

void SerialLink::fault(const std::string& reason) {
  if (!started()) return;
  serial_log().error("{}: {}", port_, reason);
  const std::shared_ptr<const SerialPort::Listener> listener = listener_;
  retry_timer_.cancel();
  if (listener && listener->on_fault) listener->on_fault(HardwareFault{reason});
}

void SerialLink::deliver(std::string_view bytes) {
  const Instant arrival = clock_.now();
  const std::shared_ptr<const SerialPort::Listener> listener = listener_;
  if (listener && listener->on_bytes) listener->on_bytes(arrival, bytes);
}

void SerialLink::now_attached(const std::string& where) {
  serial_log().info("{}: attached ({})", port_, where);
  ever_attached_ = true;
  complained_ = false;
  tell(true, where);
}

void SerialLink::lost(const std::string& reason) {
  serial_log().info("{}: detached: {}", port_, reason);
  identity_timer_.cancel();
  reader_.reset();  // already stopped by the reader itself
  if (tell(false, reason)) retry_later();
}

bool SerialLink::tell(bool attached, const std::string& detail) {
  const std::uint64_t session = session_;
  const std::shared_ptr<const SerialPort::Listener> listener = listener_;
  if (listener && listener->on_link) listener->on_link(attached, detail);
  return session == session_;
}

void SerialLink::check_identity_later() {
  if (!moved_) return;
  identity_timer_ = clock_.after(kPortIdentityCheck, [this] {
    if (!reader_) return;
    const auto reason = moved_();
    if (!reason) return check_identity_later();
    // What the old port still holds comes first; then the detach, and at once the new port.
    reader_->finish([this, reason = *reason] { moved_away(reason); });
  });
}

void SerialLink::moved_away(const std::string& reason) {
  serial_log().info("{}: detached: {}", port_, reason);
  reader_.reset();
  if (tell(false, reason)) reach_();
}

void SerialLink::retry_later() {
  retry_timer_ = clock_.after(retry_, [this] { reach_(); });
}

}  // namespace cyanrig
