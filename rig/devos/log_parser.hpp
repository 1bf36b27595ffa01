// Device OS serial log lines -> timeline events (particle-reference.md §3). Pure: tests feed lines.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

namespace cyanrig {

// `<10-digit ms> [<category>] <LEVEL>: <message>`, possibly behind a prefix a capture tool added
// (host timestamp, "[tty]" tag, grabserial's "[0.123 0.001]"...). Leading zeros of the ms counter
// may be missing; a "file.cpp:123, func(): " source location before the level is skipped.
struct DevosLogLine {
  std::uint64_t device_ms = 0;
  std::string category;
  std::string level;    // TRACE, INFO, WARN, ERROR, PANIC (always upper case; WARNING -> WARN)
  std::string message;  // as printed, without the line ending
};
// nullopt when the line has no `<ms> [<category>] <LEVEL>:` header.
std::optional<DevosLogLine> split_devos_line(std::string_view line);

struct DevosEvent {
  std::string name;  // one of DevosLogParser::event_names(), or a user pattern's event name
  std::optional<std::uint64_t> device_ms;
  nlohmann::json fields = nlohmann::json::object();  // e.g. {"from":..,"to":..}, {"code":N}, {"reason":..}
};

// Turns one line into at most one event. Built-in messages are matched loosely: case, runs of
// white space, a missing ':' or ',', trailing '.'/'!', a trailing " [code = N, details = ..]"
// attribute block (which becomes fields "code"/"details"), and a component prefix before the known
// text ("Cloud: Cloud socket connected": the known text may start wherever a word starts) do not
// matter; the known text must end the message. Built-ins only look at
// lines with the Device OS header (the ms counter may be missing), so application text that
// happens to say "Cloud connected" in a plain println does not become an event.
//
// Fields by event (numbers are JSON integers):
//   device_started {id}                      reset_reason {reason, code[, data][, panic_code]}
//   network_state {from, to}                 network_link_up / network_link_down {interface, kind}
//   cloud_socket_failed {code}               handshake_started {presence_announce: 0|1}
//   cloud_handshake_failed {code}            cloud_error {code} (no code for the loop error)
//   internet_test_failed {[code][, reason]}  dns_failed {host[, code]}
//   network_reset {minutes} or {reason} (Gen 2 `Resetting WLAN due to <reason>`)
//   ota_failed {reason: update_failed | transfer_timeout | cancelled[, code][, detail]}
//   panic {[code][, name]}
// network_link_* kind is "link" (`Netif wl3 link UP`) or "state" (`Netif pp3 state UP`, the
// one cellular prints). reset_reason's reason is the cloud's name for the code (pin_reset, panic,
// ...) or the code as text when Device OS defines no name for it. A `panic` event comes from any
// PANIC level line and from `panic, <code or name>` messages (the shape of the last_reset reason).
// session_resumed comes from `Skipping HELLO message` in a comm.protocol category (old firmware
// also says it under comm.dtls, next to `resumed session - not sending HELLO message`, which is
// the one counted there).
//
// Plain lines on purpose (no event): `File size: N`, `Update time: N`, `Validating firmware
// update` (a stateless line parser cannot attach them to ota_started/ota_finished; they stay on
// the timeline as serial lines), Gen 2 `ARM_WLAN_WD n` / `CLR_WLAN_WD`, `Sending HELLO message`,
// `Establish secure connection`, the handshake layer's own `Handshake failed: N` (the system's
// `Cloud handshake failed` follows it), `cloud connected from existing session`, and any
// message over 512 bytes. One update may log both `Received UpdateStart request` and `Starting
// firmware update`: both are ota_started, so wait for the first rather than count them.
class DevosLogParser {
 public:
  // Adds an application pattern, tried only when no built-in matched. The ECMAScript regex is
  // searched (not anchored: use ^ and $ for that), case-sensitively, in the message when the line
  // has the Device OS header and in the whole line (without CR/LF) otherwise. Numbered groups
  // become string fields "1", "2", ... (groups that did not take part are left out). Patterns are
  // tried in the order they were added. Texts longer than 8 KiB are not tried (std::regex
  // recurses per character and would overflow the stack). Throws std::invalid_argument for a bad
  // regex or an empty event name.
  void add_pattern(const std::string& regex, const std::string& event_name);
  std::optional<DevosEvent> parse(std::string_view line) const;
  static const std::vector<std::string>& event_names();  // the built-in names

 private:
  struct UserPattern {
    std::regex regex;
    std::string event;
  };
  std::optional<DevosEvent> match_user(std::string_view text) const;

  std::vector<UserPattern> user_;
};

}  // namespace cyanrig
