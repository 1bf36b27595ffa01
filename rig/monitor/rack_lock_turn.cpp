#include "rig/monitor/rack_lock_turn.hpp"

#include <fmt/format.h>

namespace cyanrig::monitor {
namespace {

using namespace std::chrono_literals;

// Over the probe's own bound: starting its run and leaving the rack safe after it.
constexpr Duration kProbeOverhead = 1min;

}  // namespace

std::optional<std::string> RackLockTurn::take(const Rack& rack, const RackDevice& device,
                                              const Scenario& probe) {
  RackLockAttempt attempt = take_rack_lock(rack,
                                           {.command = "monitor",
                                            .scenario = fmt::format("{} on {}", probe.name, device.name),
                                            .yields_within = probe.longest_on(device) + kProbeOverhead},
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
