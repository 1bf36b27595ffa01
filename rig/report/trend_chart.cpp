#include "rig/report/trend_chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>

#include "rig/results/xml_text.hpp"

namespace cyanrig {

namespace {

constexpr double kWidth = 340, kHeight = 130, kLeft = 40, kBottom = 18, kTop = 8;
constexpr const char* kColours[] = {"#1565c0", "#2e7d32", "#c62828", "#6a1b9a", "#ef6c00", "#00838f"};

}  // namespace

std::string trend_chart_svg(const std::string& measurement, const std::string& unit,
                            const std::vector<TrendPoint>& points) {
  std::vector<std::int64_t> runs;
  double top = 0;
  std::map<std::string, std::vector<const TrendPoint*>> by_group;
  for (const TrendPoint& p : points) {
    if (std::find(runs.begin(), runs.end(), p.run_id) == runs.end()) runs.push_back(p.run_id);
    if (p.p75) top = std::max(top, *p.p75);
    by_group[p.group].push_back(&p);
  }
  if (runs.empty() || top <= 0) return {};
  top *= 1.1;
  const auto x = [&](std::int64_t run) {
    const auto i = std::find(runs.begin(), runs.end(), run) - runs.begin();
    const double span = kWidth - kLeft - 10;
    return runs.size() == 1 ? kLeft + span / 2
                            : kLeft + span * static_cast<double>(i) / static_cast<double>(runs.size() - 1);
  };
  const auto y = [&](double v) { return kTop + (kHeight - kTop - kBottom) * (1 - v / top); };
  std::string svg = fmt::format(
      R"(<svg class="trend" width="{0}" height="{1}" viewBox="0 0 {0} {1}"><title>{2}: p75 per platform over the last {3} runs</title>)",
      kWidth, kHeight, xml_escape(measurement, XmlContext::text), runs.size());
  svg += fmt::format(
      R"(<line class="axis" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/><line class="axis" x1="{0}" x2="{3}" y1="{2}" y2="{2}"/>)",
      kLeft, kTop, kHeight - kBottom, kWidth - 10);
  svg += fmt::format(R"(<text x="2" y="{}">{:.4g} {}</text><text x="2" y="{}">0</text>)", kTop + 8, top,
                     xml_escape(unit, XmlContext::text), kHeight - kBottom);
  svg += fmt::format(R"(<text x="{}" y="{}">{} runs, this one last</text>)", kLeft, kHeight - 4, runs.size());
  svg += fmt::format(R"(<line class="this" x1="{0}" x2="{0}" y1="{1}" y2="{2}"/>)", x(runs.back()), kTop,
                     kHeight - kBottom);
  int colour = 0;
  for (const auto& [group, of_group] : by_group) {
    const char* c = kColours[colour++ % std::size(kColours)];
    std::string line;
    for (const TrendPoint* p : of_group) {
      if (!p->p75) continue;
      line += fmt::format("{}{:.1f},{:.1f}", line.empty() ? "" : " ", x(p->run_id), y(*p->p75));
      svg += fmt::format(
          R"(<circle cx="{:.1f}" cy="{:.1f}" r="2.5" fill="{}"><title>{} run {} ({}{}): p75 {:.3g} {}, {} of {} missing</title></circle>)",
          x(p->run_id), y(*p->p75), c, xml_escape(group, XmlContext::text), p->run_id, p->started_utc,
          p->firmware_tag.empty() ? "" : ", " + xml_escape(p->firmware_tag, XmlContext::text), *p->p75,
          xml_escape(unit, XmlContext::text), p->missing, p->missing + p->count);
    }
    if (!line.empty()) svg += fmt::format(R"(<polyline points="{}" fill="none" stroke="{}"/>)", line, c);
    svg += fmt::format(R"(<text x="{}" y="{}" fill="{}">{}</text>)", kWidth - 70,
                       kTop + 10 + 11 * (colour - 1), c, xml_escape(group, XmlContext::text));
  }
  return svg + "</svg>";
}

}  // namespace cyanrig
