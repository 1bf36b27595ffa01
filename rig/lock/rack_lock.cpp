#include "rig/lock/rack_lock.hpp"

#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "rig/core/duration_text.hpp"
#include "rig/rack/rack_file.hpp"

namespace cyanrig {
namespace {

using namespace std::chrono_literals;
using Wall = std::chrono::steady_clock;

// How often a waiting taker tries again. flock has no timeout of its own.
constexpr auto kRetry = 100ms;
// A holder writes its details right after taking the lock; a reader that finds none yet looks again.
constexpr auto kDetailsLate = 20ms;
// Someone only looking (`cyanrig rack status`, a run's wait message) holds a shared lock for the
// microseconds it takes to read the holder's details; a taker that meets one tries again this often,
// this many times, before it counts the rack as in use.
constexpr auto kPastLooker = 1ms;
constexpr int kLookerTries = 20;

std::string file_stem(const std::string& rack_name) {
  std::string out;
  for (const char c : rack_name) {
    const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                       c == '.' || c == '_' || c == '-';
    out += plain ? c : '_';
  }
  return out.empty() || out.front() == '.' ? "rack" + out : out;
}

std::filesystem::path yield_path(const Rack& rack) {
  return rack_lock_folder(rack) / (file_stem(rack.name) + ".yield");
}

// The holder of a lock found held. Right after taking it, a holder's file may still be empty or
// name the one before it (dead by now): then it is read once more.
std::optional<LockHolder> read_holder(const LockFile& file) {
  auto holder = LockHolder::parse(file.read_all());
  if (holder && holder->process.alive()) return holder;
  std::this_thread::sleep_for(kDetailsLate);
  return LockHolder::parse(file.read_all());
}

// The taker named in the yield file, if it is still alive (a taker killed while waiting leaves its
// request behind; it means nothing).
std::optional<LockHolder> live_request(const std::filesystem::path& path) {
  const auto file = LockFile::open_existing(path);
  if (!file) return std::nullopt;
  auto request = LockHolder::parse(file->read_all());
  if (!request || !request->process.alive()) return std::nullopt;
  return request;
}

// A live request written by another process than this one (its own asks nothing of itself).
std::optional<LockHolder> request_from_another(const std::filesystem::path& path) {
  auto request = live_request(path);
  if (!request || request->process == ProcessIdentity::self()) return std::nullopt;
  return request;
}

// Writes (or clears) this taker's yield request. The file is never removed: in a sticky folder
// another user could not remove it anyway.
void write_request(const std::filesystem::path& path, const std::string& text) {
  std::string ignored;
  if (auto file = LockFile::open_or_create(path, ignored)) file->rewrite(text);
}

void clear_own_request(const std::filesystem::path& path) {
  const auto request = live_request(path);
  if (request && request->process == ProcessIdentity::self()) write_request(path, "");
}

std::string holder_text(const std::optional<LockHolder>& holder) {
  return holder ? holder->describe() : "a process that has not written its details";
}

class Taker {
 public:
  Taker(const Rack& rack, const LockRequest& request, LockFile file)
      : rack_(rack),
        request_(request),
        file_(std::move(file)),
        yield_file_(yield_path(rack)),
        deadline_(started_ + request.wait) {}

  RackLockAttempt take() {
    for (;;) {
      const auto waiting_run = request_.yields_within ? live_request(yield_file_) : std::nullopt;
      const bool deferring = waiting_run && waiting_run->process != ProcessIdentity::self();
      if (!deferring && lock_past_lookers()) return taken();
      const auto holder = deferring ? waiting_run : read_holder(file_);
      if (!deferring) ask_to_yield(holder);
      if (Wall::now() >= deadline_) return refused(holder, deferring);
      announce(holder, deferring);
      std::this_thread::sleep_for(kRetry);
    }
  }

 private:
  bool lock_past_lookers() {
    for (int i = 0; i < kLookerTries; ++i) {
      if (file_.try_lock_exclusive()) return true;
      std::this_thread::sleep_for(kPastLooker);
    }
    return false;
  }

  RackLockAttempt taken() {
    file_.rewrite(LockHolder::self(request_.command, request_.scenario, request_.yields_within).to_text());
    if (asked_) clear_own_request(yield_file_);
    return {RackLock(std::move(file_), yield_file_), ""};
  }

  // A holder that yields is asked to, and given the time it promised.
  void ask_to_yield(const std::optional<LockHolder>& holder) {
    if (request_.yields_within || !holder || !holder->yields_within) return;
    const auto current = live_request(yield_file_);
    if (!current) {
      write_request(yield_file_,
                    LockHolder::self(request_.command, request_.scenario, std::nullopt).to_text());
      asked_ = true;
    }
    if (!extended_) {
      deadline_ = std::max(deadline_, Wall::now() + *holder->yields_within);
      extended_ = true;
    }
  }

  void announce(const std::optional<LockHolder>& holder, bool deferring) {
    if (announced_ || !request_.on_wait) return;
    announced_ = true;
    const auto left = std::chrono::duration_cast<Duration>(deadline_ - Wall::now());
    request_.on_wait(fmt::format("rack '{}' is {} {}; waiting up to {}", rack_.name,
                                 deferring ? "wanted by" : "in use by", holder_text(holder),
                                 format_duration(std::chrono::ceil<std::chrono::seconds>(left))));
  }

  RackLockAttempt refused(const std::optional<LockHolder>& holder, bool deferring) {
    if (asked_) clear_own_request(yield_file_);
    std::string why = deferring ? fmt::format("rack '{}' is wanted by {}, which asked for it first",
                                              rack_.name, holder_text(holder))
                                : fmt::format("rack '{}' is in use by {}", rack_.name, holder_text(holder));
    if (request_.wait == Duration::zero() && !extended_) {
      why += "; wait for it with --lock-wait DURATION";
    } else {
      why += fmt::format(" (waited {})",
                         format_duration(std::chrono::round<std::chrono::seconds>(Wall::now() - started_)));
    }
    return {std::nullopt, fmt::format("{} [lock {}]", why, file_.path().string())};
  }

  const Rack& rack_;
  const LockRequest& request_;
  LockFile file_;
  std::filesystem::path yield_file_;
  const Wall::time_point started_ = Wall::now();
  Wall::time_point deadline_;
  bool asked_ = false;     // this taker wrote a yield request
  bool extended_ = false;  // the wait was stretched to a yielding holder's promise
  bool announced_ = false;
};

}  // namespace

std::optional<LockHolder> RackLock::yield_request() const {
  if (!held()) return std::nullopt;
  return request_from_another(yield_file_);
}

std::filesystem::path rack_lock_folder(const Rack& rack) {
  if (!rack.lock_dir.empty()) return rack.lock_dir;
  if (const char* env = std::getenv(kLockDirVariable); env != nullptr && *env != '\0') return env;
  return kDefaultLockDir;
}

std::filesystem::path rack_lock_path(const Rack& rack) {
  return rack_lock_folder(rack) / (file_stem(rack.name) + ".lock");
}

bool rack_shares_nothing(const Rack& rack, const BackendRegistry& registry) {
  return rack_is_simulated(rack, registry);
}

RackLockAttempt take_rack_lock(const Rack& rack, const LockRequest& request,
                               const BackendRegistry& registry) {
  if (rack_shares_nothing(rack, registry)) return {RackLock(), ""};
  if (std::string problem = make_shared_folder(rack_lock_folder(rack)); !problem.empty()) {
    return {std::nullopt, fmt::format("cannot lock rack '{}': {}", rack.name, problem)};
  }
  std::string error;
  auto file = LockFile::open_or_create(rack_lock_path(rack), error);
  if (!file) return {std::nullopt, fmt::format("cannot lock rack '{}': {}", rack.name, error)};
  return Taker(rack, request, std::move(*file)).take();
}

std::optional<LockHolder> rack_wanted_by(const Rack& rack, const BackendRegistry& registry) {
  if (rack_shares_nothing(rack, registry)) return std::nullopt;
  return request_from_another(yield_path(rack));
}

RackLockState inspect_rack_lock(const Rack& rack, const BackendRegistry& registry) {
  RackLockState state;
  state.path = rack_lock_path(rack);
  if (rack_shares_nothing(rack, registry)) {
    state.shares_nothing = true;
    return state;
  }
  auto file = LockFile::open_existing(state.path);
  if (!file) return state;  // never taken here
  state.held = !file->try_lock_shared();
  state.holder = state.held ? read_holder(*file) : LockHolder::parse(file->read_all());
  file->close();  // a shared lock taken to look must not block a taker
  state.holder_alive = state.holder && state.holder->process.alive();
  if (state.held) state.waiting = live_request(yield_path(rack));
  return state;
}

}  // namespace cyanrig
