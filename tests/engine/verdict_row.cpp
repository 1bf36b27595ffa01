#include "verdict_row.hpp"

#include <fmt/format.h>

#include <fstream>
#include <regex>
#include <sstream>

namespace cyanrig::test {
namespace {

std::string read_file(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// The element junit.xml gives a device's repeat cases: "failure", "error", "skipped" or "ok".
std::string junit_element(const std::string& xml, const std::string& device) {
  const std::regex testcase("<testcase classname=\"[^\"]*\\." + device + "\" name=\"" + device +
                            R"( repeat \d+"[^>]*?(/>|>([\s\S]*?)</testcase>))");
  std::string worst = "ok";
  const auto rank = [](const std::string& e) {
    return e == "error" ? 3 : e == "failure" ? 2 : e == "skipped" ? 1 : 0;
  };
  for (auto it = std::sregex_iterator(xml.begin(), xml.end(), testcase); it != std::sregex_iterator(); ++it) {
    const std::string body = (*it)[2];
    for (const char* e : {"error", "failure", "skipped"}) {
      if (body.find(std::string("<") + e) != std::string::npos && rank(e) > rank(worst)) worst = e;
    }
  }
  return worst;
}

}  // namespace

DeviceVerdicts device_verdicts(const RunReport& report, const std::vector<std::string>& devices) {
  const RunResult& r = report.result;
  const std::string junit = read_file(report.results_dir / "junit.xml");
  DeviceVerdicts out;
  for (const std::string& device : devices) {
    DeviceVerdict v{.cls = "pass", .kind = "", .junit = junit_element(junit, device)};
    bool skipped = false;
    for (const CaseResult& c : r.cases) {
      if (c.device != device) continue;
      skipped = skipped || !c.skipped.empty();
      if (!c.failures.empty() && v.kind.empty()) v.kind = c.failures.front().kind;
    }
    if (const auto cls = r.device_failure_class(device)) v.cls = std::string(to_string(*cls));
    if (skipped && v.cls == "pass") v.cls = "skipped";
    out.emplace_back(device, std::move(v));
  }
  return out;
}

std::string junit_element_for(const std::string& cls) {
  if (cls == "pass") return "ok";
  if (cls == "skipped") return "skipped";
  return cls == "device" ? "failure" : "error";
}

std::string verdict_table_line(const std::string& what, const std::string& cause, int exit_code,
                               const DeviceVerdicts& verdicts) {
  std::string classes;
  std::string elements;
  for (const auto& [device, v] : verdicts) {
    classes += fmt::format("{}{}: {}{}", classes.empty() ? "" : ", ", device, v.cls,
                           v.kind.empty() ? "" : " (" + v.kind + ")");
    elements += fmt::format("{}{}: {}", elements.empty() ? "" : ", ", device, v.junit);
  }
  return fmt::format("| {} | {} | {} | {} | {} |", what, cause, exit_code, classes, elements);
}

void write_verdict_table(const std::filesystem::path& file, const std::vector<std::string>& lines) {
  std::ofstream out(file);
  out << "| what is wrong | cause | exit | class per device (first failure) | junit per device |\n"
         "|---|---|---|---|---|\n";
  for (const std::string& line : lines) out << line << "\n";
}

}  // namespace cyanrig::test
