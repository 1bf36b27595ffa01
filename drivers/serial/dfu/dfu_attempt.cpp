#include "drivers/serial/dfu/dfu_attempt.hpp"

#include <fmt/format.h>

#include "drivers/serial/usb/baud_nudge.hpp"
#include "rig/core/duration_text.hpp"

namespace cyanrig {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr Duration kLookEvery = milliseconds(100);  // is the port there?
constexpr Duration kAskAgain = seconds(5);          // still there this long after asking: ask again
constexpr Duration kRunEvery = milliseconds(500);   // dfu-util, while it finds no bootloader

}  // namespace

DfuAttempt::DfuAttempt(Clock& clock, Hooks hooks, Duration wait, DfuFlasher::Listener listener)
    : clock_(clock),
      hooks_(std::move(hooks)),
      wait_(wait),
      deadline_(clock.now() + wait),
      listener_(std::move(listener)) {
  tick_ = clock_.after(Duration{0}, [this] { tick(); });
}

void DfuAttempt::tick() {
  if (!running_) {
    if (clock_.now() >= deadline_) {
      finish(fault(never_in_dfu()));
      return;
    }
    look_at_port();
    if (clock_.now() >= next_run_) {
      next_run_ = clock_.now() + kRunEvery;
      if (!command_said_) {
        command_said_ = true;
        say(hooks_.command_line);
      }
      running_ = true;
      hooks_.run_dfu_util([this](const DfuUtilAnswer& answer) { answered(answer); });
    }
  }
  tick_ = clock_.after(kLookEvery, [this] { tick(); });
}

void DfuAttempt::look_at_port() {
  const Port port = hooks_.look();
  if (!port.path) {
    port_seen_ = false;
    port_problem_ = port.problem;
    return;
  }
  const Instant now = clock_.now();
  const bool ask = !port_seen_ || !asked_ || now - *asked_ >= kAskAgain;
  port_seen_ = true;
  if (!ask) return;
  asked_ = now;
  if (const Status status = hooks_.ask(*port.path); !status.ok()) {
    port_problem_ = status.message();
    return;
  }
  asked_on_ = *port.path;
  say(fmt::format("opened {} at {} baud", *port.path, kDfuModeBaud));
}

void DfuAttempt::answered(const DfuUtilAnswer& answer) {
  running_ = false;
  if (finished_) return;
  switch (answer.kind) {
    case DfuUtilAnswer::Kind::flashed:
      finish(Status{});
      return;
    case DfuUtilAnswer::Kind::failed:
      finish(fault(answer.message));
      return;
    case DfuUtilAnswer::Kind::no_device:
      no_device_ = answer.message;  // the next tick asks again, or gives up
      return;
  }
}

// "dfu-util: No DFU capable USB device available (asked for DFU mode by opening /dev/ttyACM0 at 14400
// baud; no bootloader answered within 30s)".
std::string DfuAttempt::never_in_dfu() const {
  const std::string said = no_device_.empty() ? "no bootloader in DFU mode" : no_device_;
  if (asked_on_.empty()) {
    return fmt::format("{} (the port was never there to ask for DFU mode within {}: {})", said,
                       format_duration(wait_), port_problem_);
  }
  return fmt::format("{} (asked for DFU mode by opening {} at {} baud; no bootloader answered within {})",
                     said, asked_on_, kDfuModeBaud, format_duration(wait_));
}

void DfuAttempt::say(const std::string& action) const {
  if (listener_.on_action) listener_.on_action(action);
}

void DfuAttempt::finish(const Status& status) {
  finished_ = true;
  tick_.cancel();
  const Done done = std::exchange(listener_.on_done, nullptr);
  if (done) done(status);
}

}  // namespace cyanrig
