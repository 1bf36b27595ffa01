#include "rig/history/trend.hpp"

#include <map>

#include "rig/results/writers.hpp"

namespace cyanrig {

std::vector<TrendPoint> measurement_trend(RunHistory& history, const TrendQuery& query) {
  const auto runs = history.runs({.scenario = query.scenario, .up_to = query.up_to, .limit = query.runs});
  std::vector<std::int64_t> ids;
  for (const HistoryRun& r : runs) ids.push_back(r.id);
  std::map<std::pair<std::int64_t, std::string>, std::vector<const HistorySample*>> groups;
  const auto samples = history.samples(ids, query.measurement);
  for (const HistorySample& s : samples)
    groups[{s.run_id, query.by == TrendBy::platform ? s.platform : s.device}].push_back(&s);
  std::vector<TrendPoint> points;
  for (const HistoryRun& r : runs) {
    for (auto it = groups.lower_bound({r.id, ""}); it != groups.end() && it->first.first == r.id; ++it) {
      std::vector<double> values;
      int missing = 0;
      for (const HistorySample* s : it->second) {
        if (s->value) {
          values.push_back(*s->value);
        } else {
          ++missing;
        }
      }
      points.push_back({.run_id = r.id,
                        .started_utc = r.started_utc,
                        .firmware_tag = r.firmware_tag,
                        .group = it->first.second,
                        .count = static_cast<int>(values.size()),
                        .missing = missing,
                        .p50 = statistic(values, "p50"),
                        .p75 = statistic(values, "p75"),
                        .max = statistic(values, "max")});
    }
  }
  return points;
}

}  // namespace cyanrig
