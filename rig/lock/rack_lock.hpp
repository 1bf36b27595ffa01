// One lock per rack, so that two commands never act on the same devices at once (docs/operations.md).
//
// The lock is flock(2) on <lock folder>/<rack>.lock: the kernel releases it when its holder exits,
// however it exits (SIGKILL, OOM, a crash), so a dead holder never blocks the rack. The holder
// writes who it is into the file (LockHolder), and a taker that is refused names it. The folder
// (/run/lock/cyanrig by default) is shared by every Unix user of the rack: sticky and
// world-writable, with lock files everyone may open.
//
// A rack made only of in-process `sim` backends shares nothing with anyone and takes no lock.
//
// Yielding: a holder that takes the lock with `yields_within` (the monitor, between its probes)
// promises to let go when asked. A taker that finds such a holder writes a yield request
// (<rack>.yield) and waits up to that long, whatever its own --lock-wait; the holder sees the
// request through RackLock::yield_requested() and releases. A yielding taker never asks another,
// and holds back while a request from a live taker is pending.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "rig/lock/lock_file.hpp"
#include "rig/lock/lock_holder.hpp"
#include "rig/rack/backend_registry.hpp"
#include "rig/rack/rack.hpp"

namespace cyanrig {

// The environment variable naming the lock folder when the rack file does not (tests use it).
inline constexpr const char* kLockDirVariable = "CYANRIG_LOCK_DIR";
inline constexpr const char* kDefaultLockDir = "/run/lock/cyanrig";

struct LockRequest {
  std::string command;   // what the taker is doing, in the user's words: "run", "outage clear"
  std::string scenario;  // for a run
  Duration wait{0};      // how long to wait for the holder to let go; zero: refuse at once
  // For a taker that lets go when asked (see above): how long it may take to do so.
  std::optional<Duration> yields_within;
  // Told once, when the taker starts waiting: "rack lab-a is held by ...; waiting up to 10m".
  std::function<void(const std::string&)> on_wait;
};

class RackLock {
 public:
  // Holds nothing: for a rack that shares nothing.
  RackLock() = default;
  RackLock(LockFile file, std::filesystem::path yield_file)
      : file_(std::move(file)), yield_file_(std::move(yield_file)) {}

  bool held() const { return file_.is_open(); }
  const std::filesystem::path& path() const { return file_.path(); }

  // A live taker that asked this holder to let go, if there is one.
  std::optional<LockHolder> yield_request() const;
  bool yield_requested() const { return yield_request().has_value(); }

  // Lets go now; destruction does the same.
  void release() { file_.close(); }

 private:
  LockFile file_;
  std::filesystem::path yield_file_;
};

// The lock, or why not (naming the holder); a command that is refused exits 3.
struct RackLockAttempt {
  std::optional<RackLock> lock;
  std::string refusal;
  explicit operator bool() const { return lock.has_value(); }
};

// rack.lock_dir, else $CYANRIG_LOCK_DIR, else /run/lock/cyanrig.
std::filesystem::path rack_lock_folder(const Rack& rack);
// <folder>/<rack name>.lock (the name kept to letters, digits, '.', '_' and '-').
std::filesystem::path rack_lock_path(const Rack& rack);

// True when the rack shares nothing and takes no lock (only in-process `sim` backends).
bool rack_shares_nothing(const Rack& rack, const BackendRegistry& registry);

RackLockAttempt take_rack_lock(const Rack& rack, const LockRequest& request, const BackendRegistry& registry);

// A live taker (another process) waiting for a yielding holder to let go, whoever holds the rack
// now: a yielding taker between two holds (the monitor between probes) stands back while there is one.
std::optional<LockHolder> rack_wanted_by(const Rack& rack, const BackendRegistry& registry);

// What `cyanrig rack status` shows.
struct RackLockState {
  bool shares_nothing = false;
  std::filesystem::path path;
  bool held = false;
  std::optional<LockHolder> holder;   // held: the holder; free: the last one, if the file says
  bool holder_alive = false;          // the process the file names still runs
  std::optional<LockHolder> waiting;  // a live taker that asked a yielding holder to let go
};
RackLockState inspect_rack_lock(const Rack& rack, const BackendRegistry& registry);

}  // namespace cyanrig
