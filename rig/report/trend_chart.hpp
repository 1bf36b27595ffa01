// The report's small trend charts: a measurement's p75 per platform over the last runs of the
// scenario, this run last, as inline SVG.
#pragma once

#include <string>
#include <vector>

#include "rig/history/trend.hpp"

namespace cyanrig {

// One <svg> for one measurement; empty when there is nothing to draw.
std::string trend_chart_svg(const std::string& measurement, const std::string& unit,
                            const std::vector<TrendPoint>& points);

}  // namespace cyanrig
