#include "rig/history/flaky.hpp"

namespace cyanrig {

namespace {

void count(FlakyDevice& d, const std::string& verdict, const std::string& failure_class) {
  if (verdict == "pass") ++d.passed;
  if (verdict == "fail" && failure_class == "device") ++d.failed;
}

}  // namespace

std::vector<FlakyDevice> find_flaky(RunHistory& history, const RecordedRun& run, int window) {
  std::vector<std::int64_t> earlier;
  if (window > 1) {
    const auto known = history.find(run);
    RunFilter filter{.scenario = run.scenario, .limit = window - 1};
    if (known) {
      filter.up_to = *known;
      filter.limit = window;
    }
    for (const HistoryRun& r : history.runs(filter)) {
      if (!known || r.id != *known) earlier.push_back(r.id);
    }
  }
  std::vector<FlakyDevice> flaky;
  for (const RecordedDevice& device : run.devices) {
    FlakyDevice d{.device = device.name, .runs = 1};
    for (const RecordedCase& c : run.cases) {
      if (c.device == device.name) count(d, c.verdict, c.failure_class);
    }
    std::set<std::int64_t> runs_seen;
    for (const HistoryCase& c : history.cases(earlier, device.name)) {
      count(d, c.verdict, c.failure_class);
      runs_seen.insert(c.run_id);
    }
    d.runs += static_cast<int>(runs_seen.size());
    if (d.passed > 0 && d.failed > 0) flaky.push_back(d);
  }
  return flaky;
}

}  // namespace cyanrig
