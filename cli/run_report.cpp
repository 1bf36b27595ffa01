#include "cli/run_report.hpp"

#include "cli/rack_choice.hpp"
#include "rig/history/trend.hpp"
#include "rig/report/report_html.hpp"

namespace cyanrig::cli {

namespace {

constexpr int kTrendRuns = 20;
constexpr std::string_view kBuiltInRack = "<built-in simulated rack>";

}  // namespace

std::map<std::string, std::string> device_segments(const Rack& rack) {
  std::map<std::string, std::string> out;
  for (const RackDevice& d : rack.devices) out[d.name] = d.segment;
  return out;
}

std::map<std::string, std::string> device_segments(const RecordedRun& run) {
  const bool built_in = run.rack_file == kBuiltInRack;
  if (!built_in && (run.rack_file.empty() || !std::filesystem::is_regular_file(run.rack_file))) return {};
  Diagnostics ignored;
  const auto rack = load_rack(built_in ? std::string() : run.rack_file, ignored);
  if (!rack || rack->name != run.rack) return {};
  return device_segments(*rack);
}

std::filesystem::path write_run_report(const RecordedRun& run, RunHistory* history,
                                       const std::map<std::string, std::string>& segments,
                                       Diagnostics& diags) {
  ReportInputs inputs{.segments = segments};
  if (history != nullptr) {
    if (const auto id = history->find(run)) {
      for (const RecordedMeasurement& m : run.measurements) {
        inputs.trends[m.name] = measurement_trend(
            *history, {.scenario = run.scenario, .measurement = m.name, .runs = kTrendRuns, .up_to = *id});
      }
    }
  }
  return write_report(run, inputs, diags);
}

}  // namespace cyanrig::cli
