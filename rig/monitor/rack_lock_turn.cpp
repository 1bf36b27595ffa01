#include "rig/monitor/rack_lock_turn.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

// Over the probe's own bound: starting its run and leaving the rack safe after it.
constexpr Duration kProbeOverhead = 1min;

}  // namespace

std::optional<std::string> RackLockTurn::take(const Rack& rack, const std::vector<const RackDevice*>& devices,
                                              const Scenario& probe) {
  // The devices' flows run side by side: the run's bound is the longest of theirs.
  Duration bound{0};
  for (const RackDevice* d : devices) bound = std::max(bound, probe.longest_on(*d));
  const std::string on =
      devices.size() == 1 ? devices.front()->name : fmt::format("{} devices", devices.size());
  RackLockAttempt attempt = take_rack_lock(rack,
                                           {.command = "monitor",
                                            .scenario = fmt::format("{} on {}", probe.name, on),
                                            .yields_within = bound + kProbeOverhead},
                                           registry_);
  if (!attempt) return std::move(attempt.refusal);
  lock_ = std::move(attempt.lock);
  return std::nullopt;
}

std::optional<std::string> RackLockTurn::wanted_by(const Rack& rack) const {
  const auto taker = rack_wanted_by(rack, registry_);
  if (!taker) return std::nullopt;
  return taker->describe();
}

}  // namespace cyanrig::monitor
