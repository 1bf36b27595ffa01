// Whose turn it is to touch a device. The monitor never power-cycles a device that a scenario run
// holds: before each probe it takes the device's turn, and gives it back as soon as the probe ends,
// so a `cyanrig run` waiting for the rack waits at most one probe (docs/monitoring.md).
//
// This is the one point where the rack lock plugs in: a lock-backed ProbeTurn takes the rack lock
// (or the device's share of it) in take(), releases it in give_back(), and reports a waiting run
// through yield_requested(), which the monitor checks between probes to stand back.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace cyanrig::monitor {

class ProbeTurn {
 public:
  virtual ~ProbeTurn() = default;
  // Takes the turn for one probe of `device`: nothing when taken, otherwise why not (the probe is
  // skipped this round and counted as skipped).
  virtual std::optional<std::string> take(std::string_view device) = 0;
  // Gives back the turn taken last; called once after every successful take().
  virtual void give_back() = 0;
  // True while someone else (a scenario run) is waiting for the rack: the monitor starts no probe.
  virtual bool yield_requested() const = 0;
};

// For racks made only of in-process simulated backends: nothing is shared with other processes,
// so by the project's rule they take no lock and the turn is always free.
class FreeProbeTurn final : public ProbeTurn {
 public:
  std::optional<std::string> take(std::string_view) override { return std::nullopt; }
  void give_back() override {}
  bool yield_requested() const override { return false; }
};

}  // namespace cyanrig::monitor
