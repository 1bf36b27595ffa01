#include "rig/history/run_annotation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "rig/results/xml_text.hpp"

namespace cyanrig {

namespace fs = std::filesystem;

namespace {

int exit_code_of(const std::string& failure_class) {
  if (failure_class == "device") return 1;
  if (failure_class == "scenario") return 2;
  return 3;  // infrastructure, and any class this binary does not know: the lab's, to be safe
}

std::string slurp(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(fmt::format("cannot read {}", path.string()));
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

std::string joined(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
  return out;
}

}  // namespace

int exit_code_without(const RecordedRun& run, const std::set<std::string>& quarantined) {
  bool any = false;
  for (const RecordedDevice& d : run.devices) any = any || quarantined.contains(d.name);
  if (!any) return run.exit_code;
  // Infrastructure (3) beats scenario (2) beats device (1), as for the run's own exit code.
  int worst = 0;
  const auto add = [&](const std::string& cls) { worst = std::max(worst, exit_code_of(cls)); };
  for (const RecordedFailure& f : run.all_failures()) {
    if (!quarantined.contains(f.device)) add(f.cls);
  }
  for (const RecordedCriterion& c : run.criteria) {
    if (c.verdict == "fail" && !quarantined.contains(c.scope)) add("device");
  }
  for (const RecordedDevice& d : run.devices) {
    if (d.verdict == "fail" && !quarantined.contains(d.name))
      add(d.failure_class.empty() ? "device" : d.failure_class);
  }
  return worst;
}

void annotate_results(const fs::path& dir, const RunAnnotation& annotation) {
  const fs::path summary_path = dir / "summary.json";
  auto summary = nlohmann::ordered_json::parse(slurp(summary_path));
  nlohmann::ordered_json flaky = nlohmann::ordered_json::array();
  std::vector<std::string> flaky_names;
  for (const FlakyDevice& f : annotation.flaky) {
    flaky.push_back({{"device", f.device}, {"passed", f.passed}, {"failed", f.failed}, {"runs", f.runs}});
    flaky_names.push_back(f.device);
  }
  const std::vector<std::string> quarantined(annotation.quarantined.begin(), annotation.quarantined.end());
  summary["exit_code"] = annotation.exit_code;
  summary["history"] = {
      {"flaky", flaky},
      {"quarantined", quarantined},
      {"exit_code_without_quarantine", annotation.exit_code_without_quarantine},
      {"firmware_tag", annotation.firmware_tag.empty() ? nlohmann::ordered_json()
                                                       : nlohmann::ordered_json(annotation.firmware_tag)}};
  replace_file(summary_path, summary.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");

  const fs::path junit_path = dir / "junit.xml";
  std::string junit = slurp(junit_path);
  const auto close = junit.find("    </properties>");
  // A junit.xml of another shape, or one annotated already, is left as it is.
  if (close == std::string::npos || junit.find("<property name=\"flaky\"") != std::string::npos ||
      junit.find("<property name=\"quarantined\"") != std::string::npos)
    return;
  std::string properties;
  for (const auto& [name, devices] :
       {std::pair{"flaky", flaky_names}, std::pair{"quarantined", quarantined}}) {
    if (devices.empty()) continue;
    properties += fmt::format("      <property name=\"{}\" value=\"{}\"/>\n", name,
                              xml_escape(joined(devices), XmlContext::attribute));
  }
  junit.insert(close, properties);
  replace_file(junit_path, junit);
}

}  // namespace cyanrig
