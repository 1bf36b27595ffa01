// Time on a run: every timestamp is an Instant on the run's clock, counted from the run's start.
// The steady clock (hardware) and the virtual clock (simulated rack) both hand out Instants,
// so nothing above the Clock knows which one it runs on.
#pragma once

#include <chrono>
#include <cstdint>

namespace cyanrig {

// Microsecond resolution: fine enough for serial host timestamps, coarse enough for int64 days.
using Duration = std::chrono::microseconds;

// Tag clock for run-relative time points. It is never read directly: a Clock says what "now" is.
struct RunClock {
  using rep = Duration::rep;
  using period = Duration::period;
  using duration = Duration;
  using time_point = std::chrono::time_point<RunClock, Duration>;
  static constexpr bool is_steady = true;
};

using Instant = RunClock::time_point;

constexpr Instant run_start() {
  return Instant{};
}
constexpr double to_seconds(Duration d) {
  return std::chrono::duration<double>(d).count();
}
constexpr double to_ms(Duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}
constexpr double ms_since_start(Instant t) {
  return to_ms(t.time_since_epoch());
}

}  // namespace cyanrig
