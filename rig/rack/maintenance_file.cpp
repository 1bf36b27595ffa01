#include "rig/rack/maintenance_file.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "rig/yaml/yaml_reader.hpp"

namespace cyanrig {

std::optional<MaintenanceState> read_maintenance_state(const std::string& path, Diagnostics& diags) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return MaintenanceState{};
  const auto root = load_yaml_file(path, diags);
  if (!root) return std::nullopt;
  MaintenanceState state;
  if (root->IsNull()) return state;
  if (!root->IsMap()) {
    diags.error(loc_of(*root, path), "a maintenance file maps device names to {reason, since, by}");
    return std::nullopt;
  }
  const std::size_t errors_before = diags.size();
  for (const auto& item : *root) {
    MapReader entry(item.second, path, diags, "maintenance entry");
    MaintenanceEntry e;
    e.reason = entry.text("reason", true).value_or("");
    e.since = entry.text("since").value_or("");
    e.by = entry.text("by").value_or("");
    entry.finish();
    state[item.first.Scalar()] = e;
  }
  if (diags.size() != errors_before) return std::nullopt;
  return state;
}

std::string write_maintenance_state(const std::string& path, const MaintenanceState& state) {
  YAML::Emitter out;
  out << YAML::Comment("written by cyanrig device disable|enable: devices under maintenance")
      << YAML::BeginMap;
  for (const auto& [device, entry] : state) {
    out << YAML::Key << device << YAML::Value << YAML::Flow << YAML::BeginMap;
    out << YAML::Key << "reason" << YAML::Value << YAML::DoubleQuoted << entry.reason;
    out << YAML::Key << "since" << YAML::Value << entry.since;
    out << YAML::Key << "by" << YAML::Value << entry.by;
    out << YAML::EndMap;
  }
  out << YAML::EndMap;
  const std::string temporary = fmt::format("{}.{}.tmp", path, ::getpid());
  {
    std::ofstream file(temporary, std::ios::trunc);
    file << out.c_str() << "\n";
    if (!file.flush()) return fmt::format("cannot write {}", temporary);
  }
  std::error_code ec;
  std::filesystem::rename(temporary, path, ec);
  if (ec) {
    std::filesystem::remove(temporary, ec);
    return fmt::format("cannot replace {}: {}", path, ec.message());
  }
  return {};
}

std::string describe(const MaintenanceEntry& entry) {
  std::string out = entry.reason;
  if (!entry.by.empty() || !entry.since.empty()) {
    out += " (disabled";
    if (!entry.by.empty()) out += " by " + entry.by;
    if (!entry.since.empty()) out += " since " + entry.since;
    out += ")";
  }
  return out;
}

bool apply_maintenance_state(Rack& rack, Diagnostics& diags) {
  if (rack.maintenance_file.empty()) return true;
  const std::size_t errors_before = diags.size();
  const auto state = read_maintenance_state(rack.maintenance_file, diags);
  if (!state) return false;
  for (const auto& [name, entry] : *state) {
    RackDevice* device = nullptr;
    for (RackDevice& d : rack.devices) {
      if (d.name == name) device = &d;
    }
    if (device == nullptr) {
      diags.error(
          {rack.maintenance_file, 0, 0},
          fmt::format("device '{}' is under maintenance here but not in rack '{}' ({}); `cyanrig device "
                      "enable {} --rack {}` forgets it",
                      name, rack.name, rack.file, name, rack.file));
      continue;
    }
    const std::string reason = describe(entry);
    device->maintenance = device->maintenance ? *device->maintenance + "; " + reason : reason;
  }
  return diags.size() == errors_before;
}

}  // namespace cyanrig
