#include "drivers/sim/faults.hpp"

#include <fmt/format.h>

#include <chrono>
#include <string>

#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig::sim {
namespace {

constexpr std::array<std::string_view, 7> kNames = {
    "stuck_after_outage_boot", "orphan_after_outage", "slow_sleep_recovery", "bad_keys",
    "flaky_backoff",           "failed_ota",          "bad_firmware"};

// §8: devices using System.sleep() needed ~25 min extra to recover after the July 2020 outage.
constexpr Duration kDefaultSlowSleepExtra = std::chrono::minutes(25);

std::optional<Fault> fault_named(std::string_view name) {
  for (std::size_t i = 0; i < kNames.size(); ++i) {
    if (kNames[i] == name) return static_cast<Fault>(i);
  }
  return std::nullopt;
}

// Reads a fault's extra parameters; only slow_sleep_recovery has one. Returns `extra` when given.
std::optional<Duration> read_params(const FaultSpec& spec, Fault fault, Diagnostics& diags) {
  if (!spec.params.IsDefined() || spec.params.IsNull()) return std::nullopt;
  MapReader params(spec.params, spec.loc.file, diags, fmt::format("fault {}", spec.name));
  params.node("probability");  // the rack reader has read it already
  std::optional<Duration> extra;
  if (fault == Fault::slow_sleep_recovery) extra = params.duration("extra");
  params.finish();
  return extra;
}

}  // namespace

std::span<const std::string_view> fault_names() {
  return kNames;
}

DeviceFaults DeviceFaults::read(const std::vector<FaultSpec>& specs, Diagnostics& diags) {
  DeviceFaults faults;
  faults.slow_sleep_extra_ = kDefaultSlowSleepExtra;
  for (const FaultSpec& spec : specs) {
    const std::optional<Fault> fault = fault_named(spec.name);
    if (!fault) {
      const std::vector<std::string> known(kNames.begin(), kNames.end());
      const std::string hint = did_you_mean(spec.name, known);
      diags.error(spec.loc, fmt::format("unknown fault '{}'{}; the simulated devices know: {}", spec.name,
                                        hint.empty() ? "" : fmt::format(" (did you mean '{}'?)", hint),
                                        fmt::join(kNames, ", ")));
      continue;
    }
    faults.probability_[static_cast<std::size_t>(*fault)] = spec.probability;
    if (const auto extra = read_params(spec, *fault, diags)) faults.slow_sleep_extra_ = *extra;
  }
  return faults;
}

}  // namespace cyanrig::sim
