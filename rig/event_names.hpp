// The names events carry on the timeline, said once. The engine records them; the results fold,
// progress, reports and tests read them. Names that come from elsewhere are checked at compile time
// against their own vocabularies: Device OS event names against the log parser's
// (devos_event()), LED state names against the LED signal table (led_state()).
#pragma once

#include <array>
#include <string_view>

#include "rig/led/led_state.hpp"

namespace cyanrig {

namespace ev {

// EventKind::run (device empty unless said)
namespace run {
inline constexpr std::string_view kStart = "start";
inline constexpr std::string_view kEnd = "end";
inline constexpr std::string_view kRepeatStart = "repeat_start";
inline constexpr std::string_view kRepeatEnd = "repeat_end";
inline constexpr std::string_view kDevice = "device";         // device: what it is (id, platform, firmware)
inline constexpr std::string_view kCaseStart = "case_start";  // device: its case of a repeat begins
inline constexpr std::string_view kCaseEnd = "case_end";      // device: ... ends (passed or not)
inline constexpr std::string_view kCaseSkipped = "case_skipped";  // device: not run (maintenance)
inline constexpr std::string_view kHealth = "health";  // device: the pre-run health check's outcome
}  // namespace run

// EventKind::step: data.index, data.step (label); end has data.result
namespace step {
inline constexpr std::string_view kStart = "start";
inline constexpr std::string_view kEnd = "end";
}  // namespace step

// EventKind::outage (device empty, segment in data, unless said)
namespace outage {
inline constexpr std::string_view kStart = "start";
inline constexpr std::string_view kStop = "stop";
inline constexpr std::string_view kEffective = "effective";  // device (or "" for the whole segment): evidence
inline constexpr std::string_view kUnproven = "unproven";    // device: lifted before it showed any effect
inline constexpr std::string_view kNotEffective = "not_effective";  // device: no effect by its deadline
inline constexpr std::string_view kLost = "lost";  // found lifted or altered from outside while in force
inline constexpr std::string_view kError = "error";
inline constexpr std::string_view kLeftoverRemoved = "leftover_removed";
}  // namespace outage

// EventKind::power: device
namespace power {
inline constexpr std::string_view kOn = "on";
inline constexpr std::string_view kOff = "off";
inline constexpr std::string_view kError = "error";
}  // namespace power

// EventKind::cloud: device, unless said
namespace cloud {
inline constexpr std::string_view kSparkStatus = "spark/status";  // data.status online|offline
inline constexpr std::string_view kFlashStatus = "spark/flash/status";
inline constexpr std::string_view kDeviceInfo = "device_info";  // data.status from GET /v1/devices/{id}
// The cloud still lists the device online, but its session ended since without the cloud being
// told: data.status "online", data.stale true, data.because (the power cut, outage or restart).
inline constexpr std::string_view kListingStale = "listing_stale";
inline constexpr std::string_view kReply = "reply";             // a call, read or flash answered
inline constexpr std::string_view kStreamOpen = "stream_open";  // rack-wide: events flow
inline constexpr std::string_view kStreamDown = "stream_down";  // rack-wide: data.error, data.message
}  // namespace cloud

// EventKind::serial / serial_link: device
namespace serial {
inline constexpr std::string_view kLine = "line";
inline constexpr std::string_view kAttached = "attached";
inline constexpr std::string_view kDetached = "detached";
}  // namespace serial

// EventKind::note: device
namespace note {
inline constexpr std::string_view kPowerOnDelayed = "power_on_delayed";
// A recover step of the health check begins: data.step (power_cycle | dfu_flash), data.why (what
// the check missed); dfu_flash adds data.file and data.address.
inline constexpr std::string_view kRecover = "recover";
// A dfu_flash step ended: data.step, data.file, data.result (flashed | failed), data.message.
inline constexpr std::string_view kRecoverResult = "recover_result";
// A hardware action of a DFU flash as it starts: data.action (the port opened at 14400 baud, the
// dfu-util command line).
inline constexpr std::string_view kDfuAction = "dfu_action";
}  // namespace note

}  // namespace ev

// Device OS event names: the log parser's vocabulary (DevosLogParser::event_names() is this list;
// tests/devos checks that the parser produces exactly these from its corpus).
inline constexpr std::array<std::string_view, 27> kDevosEventNames{
    "device_started",
    "reset_reason",
    "network_state",
    "network_link_up",
    "network_link_down",
    "cloud_connecting",
    "cloud_socket_connected",
    "cloud_socket_failed",
    "handshake_started",
    "session_resumed",
    "handshake_completed",
    "cloud_connected",
    "cloud_handshake_failed",
    "cloud_disconnecting",
    "cloud_disconnected",
    "cloud_error",
    "internet_test_failed",
    "cloud_unreachable",
    "dns_failed",
    "network_reset",
    "ota_started",
    "ota_finished",
    "ota_applying",
    "ota_failed",
    "listening_entered",
    "listening_exited",
    "panic",
};

// `name`, checked at compile time to be a Device OS event the parser knows.
consteval std::string_view devos_event(std::string_view name) {
  for (const std::string_view known : kDevosEventNames) {
    if (known == name) return name;
  }
  throw "not a Device OS event name the log parser produces";  // a compile error in a constant expression
}

// `state`, checked at compile time to be a canonical LED state name.
consteval std::string_view led_state(std::string_view state) {
  for (const auto& signal : kDefaultLedSignals) {
    if (signal.state == state) return state;
  }
  if (state == "sos" || state == "cloud_error" || state == "unknown") return state;
  throw "not a canonical LED state name";  // a compile error in a constant expression
}

}  // namespace cyanrig
