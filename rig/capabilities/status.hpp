// A hardware action's outcome: success, or a fault that names what failed and why.
// Faults are values recorded on the timeline as infrastructure errors, never exceptions.
#pragma once

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <utility>

namespace cyanrig {

struct HardwareFault {
  std::string message;  // e.g. "gpiochip2 line 17: no such chip"; the caller adds the device name
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // success
  // A fault is a failed status, so one can be returned or passed wherever a Status is expected.
  Status(HardwareFault fault) : fault_(std::move(fault)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return !fault_.has_value(); }
  // What failed; only for a status that is not ok().
  const HardwareFault& fault() const { return *fault_; }
  // What failed, or "" for success.
  const std::string& message() const {
    static const std::string kNone;
    return fault_ ? fault_->message : kNone;
  }

 private:
  std::optional<HardwareFault> fault_;
};

using Done = std::function<void(Status)>;

// The contract every backend request keeps: `done` is called once, on the run's loop, within this
// limit. Past it the engine stops waiting and blames the lab (the backend did not answer), so a
// backend's own timeouts (a shell command's `timeout:`) may not be longer.
inline constexpr std::chrono::seconds kBackendAnswerLimit{30};

inline Status fault(std::string message) {
  return HardwareFault{std::move(message)};
}

}  // namespace cyanrig
