// A measurement over the last runs of a scenario, per platform or per device: what `cyanrig history
// trend` prints and the report's trend chart draws.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rig/history/run_history.hpp"

namespace cyanrig {

enum class TrendBy { platform, device };

struct TrendPoint {
  std::int64_t run_id = 0;
  std::string started_utc;
  std::string firmware_tag;
  std::string group;  // the platform or device
  int count = 0;      // samples with a value
  int missing = 0;    // samples without (the repeat never reached the measurement's end)
  std::optional<double> p50, p75, max;
};

struct TrendQuery {
  std::string scenario;
  std::string measurement;
  TrendBy by = TrendBy::platform;
  int runs = 20;                      // the last this many runs of the scenario
  std::optional<std::int64_t> up_to;  // ending with this run (a report's trend stops at its own run)
};

// Points in run order, then group name. Statistics as summary.json computes them (statistic()).
std::vector<TrendPoint> measurement_trend(RunHistory& history, const TrendQuery& query);

}  // namespace cyanrig
