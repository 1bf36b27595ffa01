// Who holds a rack, as written into its lock file (and into a yield request): the process, the Unix
// user and host, the command and scenario, since when, and whether it lets go when asked.
//
//   pid 4242 start 918273 boot 6c0e…
//   user: alice
//   host: lab-pi
//   command: run
//   scenario: reboot_during_outage
//   since: 2026-12-07T10:15:02Z
//   yields_within: 2m
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "rig/core/process_identity.hpp"
#include "rig/core/time.hpp"

namespace cyanrig {

struct LockHolder {
  ProcessIdentity process;
  std::string user;
  std::string host;
  std::string command;   // "run", "outage clear", "power safe", "monitor", ...
  std::string scenario;  // the scenario a run runs; empty for other commands
  std::string since;     // UTC, "2026-12-07T10:15:02Z"
  // Set for a holder that lets go when a taker asks (the monitor, between probes), with how long
  // it may take to do so.
  std::optional<Duration> yields_within;

  // This process, about to take a lock for `command`.
  static LockHolder self(std::string command, std::string scenario, std::optional<Duration> yields_within);

  std::string to_text() const;
  // Nothing for text that is not a whole holder (an empty file, one being written).
  static std::optional<LockHolder> parse(std::string_view text);

  // "pid 4242 (alice@lab-pi), `run reboot_during_outage` since 2026-12-07T10:15:02Z"
  std::string describe() const;
};

}  // namespace cyanrig
