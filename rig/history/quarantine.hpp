// Devices whose failures are known and being worked on: their failures are still reported (summary,
// junit, report, history) but do not make the run's exit code fail, so one broken board does not
// keep a rack's CI red. Kept in the history, so every rig sharing it sees the same list.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "rig/history/sql_database.hpp"

namespace cyanrig {

struct QuarantineEntry {
  std::string device;
  std::string scenario;  // "*" = every scenario
  std::string reason;
  std::string since_utc;
};

class QuarantineList {
 public:
  explicit QuarantineList(SqlDatabase& db) : db_(db) {}

  // Adds or replaces the entry for `device` in `scenario` ("*" for every scenario).
  void add(const std::string& device, const std::string& scenario, const std::string& reason,
           const std::string& since_utc);
  // False when there was no such entry.
  bool remove(const std::string& device, const std::string& scenario);
  std::vector<QuarantineEntry> entries();
  // The devices quarantined for `scenario` (their own entries and "*" ones).
  std::set<std::string> devices_for(const std::string& scenario);

 private:
  SqlDatabase& db_;
};

}  // namespace cyanrig
