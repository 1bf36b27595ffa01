#include "rig/history/quarantine.hpp"

namespace cyanrig {

void QuarantineList::add(const std::string& device, const std::string& scenario, const std::string& reason,
                         const std::string& since_utc) {
  db_.transaction(
      [&] {
        db_.query("DELETE FROM quarantine WHERE device = $1 AND scenario = $2", {device, scenario});
        db_.query("INSERT INTO quarantine (device, scenario, reason, since_utc) VALUES ($1, $2, $3, $4)",
                  {device, scenario, reason, since_utc});
      },
      true);
}

bool QuarantineList::remove(const std::string& device, const std::string& scenario) {
  bool removed = false;
  db_.transaction(
      [&] {
        removed =
            !db_.query("SELECT 1 FROM quarantine WHERE device = $1 AND scenario = $2", {device, scenario})
                 .empty();
        db_.query("DELETE FROM quarantine WHERE device = $1 AND scenario = $2", {device, scenario});
      },
      true);
  return removed;
}

std::vector<QuarantineEntry> QuarantineList::entries() {
  std::vector<QuarantineEntry> out;
  for (const SqlRow& row :
       db_.query("SELECT device, scenario, reason, since_utc FROM quarantine ORDER BY device, scenario")) {
    out.push_back({row[0].value_or(""), row[1].value_or(""), row[2].value_or(""), row[3].value_or("")});
  }
  return out;
}

std::set<std::string> QuarantineList::devices_for(const std::string& scenario) {
  std::set<std::string> out;
  for (const SqlRow& row :
       db_.query("SELECT device FROM quarantine WHERE scenario = $1 OR scenario = '*'", {scenario})) {
    out.insert(row[0].value_or(""));
  }
  return out;
}

}  // namespace cyanrig
