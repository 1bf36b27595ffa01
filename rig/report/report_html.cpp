#include "rig/report/report_html.hpp"

#include <fmt/format.h>
#include <openssl/evp.h>

#include <set>

#include "rig/report/report_assets.hpp"
#include "rig/report/report_model.hpp"
#include "rig/report/trend_chart.hpp"
#include "rig/results/xml_text.hpp"

namespace cyanrig {

namespace {

constexpr std::size_t kDetailedFailures = 100;  // failures shown with their serial log
constexpr double kLogBeforeMs = 45'000, kLogAfterMs = 5'000;
constexpr std::size_t kLogLines = 40;

std::string h(std::string_view text) {
  return xml_escape(text, XmlContext::text);
}
std::string attr(std::string_view text) {
  return xml_escape(text, XmlContext::attribute);
}

// For the Content-Security-Policy: the page runs only its own script and style, byte for byte.
std::string sha256_base64(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_Digest(text.data(), text.size(), digest, &length, EVP_sha256(), nullptr);
  std::string out(4 * ((length + 2) / 3) + 1, '\0');
  const int written =
      EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), digest, static_cast<int>(length));
  out.resize(static_cast<std::size_t>(written));
  return out;
}

std::string number(const std::optional<double>& v) {
  return v ? fmt::format("{:.3f}", *v) : "–";
}

std::string seconds_text(const std::optional<RunTime>& t) {
  return t ? fmt::format("{:.1f} s", t->count() / 1000.0) : "–";
}

std::string verdict_badge(const std::string& verdict, const std::string& cls) {
  const std::string kind = verdict == "pass" ? "pass" : verdict == "fail" ? "fail" : "other";
  std::string text = verdict.empty() ? "UNKNOWN" : verdict;
  for (char& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  if (!cls.empty()) text += " (" + cls + ")";
  return fmt::format(R"(<span class="verdict {}">{}</span>)", kind, h(text));
}

std::set<std::string> history_devices(const RecordedRun& run, const char* key) {
  std::set<std::string> out;
  const auto it = run.history.find(key);
  if (it == run.history.end() || !it->is_array()) return out;
  for (const auto& entry : *it) {
    if (entry.is_string()) out.insert(entry.get<std::string>());
    if (entry.is_object() && entry.contains("device") && entry["device"].is_string())
      out.insert(entry["device"].get<std::string>());
  }
  return out;
}

void header(std::string& out, const RecordedRun& run) {
  out += fmt::format("<h1>{} on {} {}</h1>\n", h(run.scenario), h(run.rack),
                     verdict_badge(run.verdict, run.failure_class));
  out +=
      fmt::format(R"(<p class="facts">started {} · {} repeat{} · {:.1f} {}s · seed {} · exit code {}{}</p>)",
                  h(run.started_utc), run.repeats, run.repeats == 1 ? "" : "s", run.rig_seconds,
                  run.simulated ? "simulated " : "", h(run.seed), run.exit_code,
                  run.status == "finished" ? "" : " · run " + h(run.status));
  out +=
      fmt::format("\n<p class=\"facts\">scenario {} · rack {}</p>\n", h(run.scenario_file), h(run.rack_file));
  const auto flaky = history_devices(run, "flaky");
  const auto quarantined = history_devices(run, "quarantined");
  if (!flaky.empty() || !quarantined.empty()) {
    out += "<p>";
    for (const auto& d : flaky) out += fmt::format(R"(<span class="badge flaky">{} flaky</span>)", h(d));
    for (const auto& d : quarantined)
      out += fmt::format(R"(<span class="badge quarantined">{} quarantined: failures do not count</span>)",
                         h(d));
    out += "</p>\n";
  }
}

void failure_summary(std::string& out, const std::vector<RecordedFailure>& failures) {
  out += "<h2 id=\"failures\">Failures</h2>\n";
  if (failures.empty()) {
    out += "<p>None.</p>\n";
    return;
  }
  out += "<ul class=\"failures\">\n";
  for (std::size_t n = 0; n < failures.size(); ++n) {
    const RecordedFailure& f = failures[n];
    out += fmt::format(R"(<li><a href="#fail-{}">{}{} at {}</a> [{}/{}] {}</li>)", n,
                       h(f.device.empty() ? "rack" : f.device),
                       f.repeat > 0 ? fmt::format(" repeat {}", f.repeat) : "", seconds_text(f.t), h(f.cls),
                       h(f.kind), h(f.message));
    out += '\n';
  }
  out += "</ul>\n";
}

void timeline(std::string& out) {
  out += R"(<h2 id="timeline-title">Timeline</h2>
<div class="controls"><select id="repeat"><option value="">whole run</option></select><button id="zoom-in" type="button">zoom in</button><button id="zoom-out" type="button">zoom out</button><button id="zoom-all" type="button">whole run</button> <span id="view"></span> · wheel zooms, drag pans</div>
<div class="legend"><span>rows per device: power · LED (its colour; breathing as a fade, blinking as stripes) · cloud online (pale: a stale listing) · events</span><span>ticks: Device OS events (hover for names)</span><span>circles: calls and variables</span><span>triangles: marks</span><span>dotted: steps</span><span>shaded: outages (dashed red: effective)</span><span>✕: failures</span></div>
<p id="drawn" class="note"></p>
<div id="timeline"><svg id="lanes" xmlns="http://www.w3.org/2000/svg" width="0" height="0"></svg><noscript>The swimlanes need JavaScript; everything else on this page does not.</noscript></div>
)";
}

// The device's serial lines from kLogBeforeMs before the failure to kLogAfterMs after it, the last
// kLogLines of them, the first line at or after the failure marked.
void serial_excerpt(std::string& out, const std::vector<RecordedSerialLine>& log, RunTime t) {
  std::vector<const RecordedSerialLine*> lines;
  for (const RecordedSerialLine& l : log) {
    if (l.t.count() >= t.count() - kLogBeforeMs && l.t.count() <= t.count() + kLogAfterMs)
      lines.push_back(&l);
  }
  if (lines.size() > kLogLines)
    lines.erase(lines.begin(), lines.end() - static_cast<std::ptrdiff_t>(kLogLines));
  if (lines.empty()) {
    out += "<p>No serial output in the 45 s before.</p>\n";
    return;
  }
  out += "<pre class=\"serial\">";
  bool marked = false;
  for (const RecordedSerialLine* l : lines) {
    const bool mark = !marked && l->t >= t;
    marked = marked || mark;
    const std::string line = fmt::format("[{:10.3f}] {}", l->t.count() / 1000.0, h(l->text));
    out += mark ? "<mark>" + line + "</mark>\n" : line + "\n";
  }
  out += "</pre>\n";
}

void failure_details(std::string& out, const RecordedRun& run, const std::vector<RecordedFailure>& failures) {
  if (failures.empty()) return;
  out += "<h2>Failures in detail</h2>\n";
  std::map<std::string, std::vector<RecordedSerialLine>> logs;
  for (std::size_t n = 0; n < failures.size(); ++n) {
    const RecordedFailure& f = failures[n];
    out += fmt::format(R"(<div class="failure-detail" id="fail-{}"><h3>{}{} at {}: {}/{}</h3>)", n,
                       h(f.device.empty() ? "rack" : f.device),
                       f.repeat > 0 ? fmt::format(" repeat {}", f.repeat) : "", seconds_text(f.t), h(f.cls),
                       h(f.kind));
    out += fmt::format("<p>{}</p>", h(f.message));
    if (!f.step.empty() || !f.where.empty())
      out += fmt::format("<p>step {} at {}</p>", h(f.step.empty() ? "–" : f.step),
                         h(f.where.empty() ? "–" : f.where));
    out += '\n';
    if (n < kDetailedFailures && !f.device.empty() && f.t) {
      auto [it, added] = logs.try_emplace(f.device);
      if (added) it->second = read_serial_log(run.dir, f.device);
      serial_excerpt(out, it->second, *f.t);
    }
    out += "</div>\n";
  }
  if (failures.size() > kDetailedFailures)
    out += fmt::format("<p>Serial logs are shown for the first {} failures; serial/ has them all.</p>\n",
                       kDetailedFailures);
}

std::optional<double> limit_for(const RecordedRun& run, const std::string& measurement,
                                const std::string& scope, std::string* statistic) {
  for (const RecordedCriterion& c : run.criteria) {
    if (c.measurement == measurement && c.scope == scope) {
      *statistic = c.statistic;
      return c.limit;
    }
  }
  return std::nullopt;
}

void stats_row(std::string& out, const RecordedRun& run, const RecordedMeasurement& m,
               const std::string& scope, const std::string& platform, const RecordedStats& s) {
  std::string statistic;
  const auto limit = limit_for(run, m.name, scope, &statistic);
  std::string verdict;
  for (const RecordedCriterion& c : run.criteria) {
    if (c.measurement == m.name && c.scope == scope) verdict = c.verdict;
  }
  const int total = s.count + s.missing;
  const std::string missing = s.missing == 0 ? "–" : fmt::format("{} of {} missing", s.missing, total);
  out += fmt::format(
      R"(<tr><td>{}</td><td class="text">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class="{}">{}</td></tr>)",
      h(scope), h(platform), s.count, missing, number(s.p50), number(s.p75), number(s.p95),
      s.missing > 0 && s.max ? ">" + number(s.max) : number(s.max),
      limit ? fmt::format("{} ≤ {}", h(statistic), number(limit)) : "–", h(verdict),
      h(verdict.empty() ? "–" : verdict));
  out += '\n';
}

void measurement_table(std::string& out, const RecordedRun& run) {
  out += "<h2 id=\"measurements\">Measurements</h2>\n";
  if (run.measurements.empty()) {
    out += "<p>None.</p>\n";
    return;
  }
  for (const RecordedMeasurement& m : run.measurements) {
    out += fmt::format("<h3>{} ({})</h3>\n<table class=\"measurement\" data-measurement=\"{}\">\n", h(m.name),
                       h(m.unit), attr(m.name));
    out +=
        "<tr><th>device</th><th "
        "class=\"text\">platform</th><th>n</th><th>missing</th><th>p50</th><th>p75</th>"
        "<th>p95</th><th>max</th><th>limit</th><th>verdict</th></tr>\n";
    for (const auto& [device, stats] : m.devices) {
      const RecordedDevice* d = run.device(device);
      stats_row(out, run, m, device, d != nullptr ? d->platform : "", stats);
    }
    stats_row(out, run, m, "rack", "", m.rack);
    out += "</table>\n";
  }
}

void trend_section(std::string& out, const RecordedRun& run, const ReportInputs& inputs) {
  out += "<h2 id=\"trend\">Trend</h2>\n";
  bool any = false;
  for (const RecordedMeasurement& m : run.measurements) {
    const auto it = inputs.trends.find(m.name);
    if (it == inputs.trends.end()) continue;
    const std::string svg = trend_chart_svg(m.name, m.unit, it->second);
    if (svg.empty()) continue;
    out += fmt::format("<div class=\"trend-block\"><h3>{} p75</h3>{}</div>\n", h(m.name), svg);
    any = true;
  }
  if (!any) out += "<p>No history for this scenario (run with a history to see the trend).</p>\n";
}

}  // namespace

std::string report_html(const RecordedRun& run, const ReportInputs& inputs, Diagnostics& diags) {
  const auto failures = run.all_failures();
  const std::string_view script = report_script();
  const std::string_view style = report_style();
  std::string out;
  out += "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  out += fmt::format(
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-{}'; "
      "style-src 'sha256-{}'; img-src data:; form-action 'none'; base-uri 'none'\">\n",
      sha256_base64(script), sha256_base64(style));
  out += fmt::format("<title>{} on {}: {}</title>\n<style>{}</style>\n</head>\n<body>\n", h(run.scenario),
                     h(run.rack), h(run.verdict), style);
  header(out, run);
  failure_summary(out, failures);
  timeline(out);
  failure_details(out, run, failures);
  measurement_table(out, run);
  trend_section(out, run, inputs);
  out += "<script id=\"run-data\" type=\"application/json\">";
  append_swimlane_json(out, run, inputs.segments, diags);
  out += "</script>\n<script>";
  out += script;
  out += "</script>\n</body>\n</html>\n";
  return out;
}

std::filesystem::path write_report(const RecordedRun& run, const ReportInputs& inputs, Diagnostics& diags) {
  std::filesystem::path path = run.dir / "report.html";
  replace_file(path, report_html(run, inputs, diags));
  return path;
}

}  // namespace cyanrig
