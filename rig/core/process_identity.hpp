// Which process on which boot: a pid alone is reused, so a process is named by its pid, the time it
// started (in clock ticks since boot, /proc/PID/stat field 22) and the kernel's boot id. Whatever a
// process leaves behind that others must judge — the holder of a rack lock, the owner of an
// nftables lease — carries one, and "is its owner still alive?" is answered the same way everywhere.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cyanrig {

struct ProcessIdentity {
  pid_t pid = 0;
  std::uint64_t start_ticks = 0;
  std::string boot_id;

  // This process.
  static ProcessIdentity self();
  // The process now running as `pid`, or nothing when there is none.
  static std::optional<ProcessIdentity> of_pid(pid_t pid);

  // True while this very process runs: same boot, and `pid` still the process that started then.
  bool alive() const;

  // "pid 123 start 4567 boot 0b1c…", and back; parse gives nothing for anything else.
  std::string to_text() const;
  static std::optional<ProcessIdentity> parse(std::string_view text);

  bool operator==(const ProcessIdentity&) const = default;
};

}  // namespace cyanrig
