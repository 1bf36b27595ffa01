#include "rig/report/report_assets.hpp"

namespace cyanrig {

std::string_view report_style() {
  return R"CSS(
body { font: 14px/1.4 system-ui, sans-serif; margin: 0 1.5em 3em; color: #1c1c1c; background: #fafafa; }
h1 { font-size: 1.4em; margin: 0.8em 0 0.2em; }
h2 { font-size: 1.15em; margin: 1.6em 0 0.4em; border-bottom: 1px solid #ddd; }
.facts { color: #555; margin: 0; }
.verdict { display: inline-block; padding: 0.1em 0.6em; border-radius: 4px; font-weight: 600; color: #fff; }
.verdict.pass { background: #1b7f3b; } .verdict.fail { background: #b3261e; } .verdict.other { background: #8a6d00; }
.badge { display: inline-block; padding: 0 0.4em; border-radius: 3px; font-size: 0.85em; margin-left: 0.3em; }
.badge.flaky { background: #ffe3a3; } .badge.quarantined { background: #d9d2f0; }
ul.failures { padding-left: 1.2em; } ul.failures li { margin: 0.2em 0; }
table { border-collapse: collapse; margin: 0.4em 0 1em; }
th, td { padding: 0.15em 0.6em; border-bottom: 1px solid #e4e4e4; text-align: right; }
th:first-child, td:first-child, td.text, th.text { text-align: left; }
td.fail { color: #b3261e; font-weight: 600; } td.pass { color: #1b7f3b; }
#timeline { background: #fff; border: 1px solid #ddd; padding: 6px; overflow: hidden; }
.controls { margin: 0.3em 0; } .controls button, .controls select { font: inherit; margin-right: 0.3em; }
#lanes text { font-size: 11px; fill: #333; } #lanes text.name { font-weight: 600; font-size: 12px; }
#lanes text.name.fail { fill: #b3261e; } #lanes .axis text { fill: #666; }
#lanes .grid { stroke: #eee; } #lanes .rack-step { stroke: #8a8a8a; stroke-dasharray: 2 3; }
#lanes .power .on { fill: #f2b705; } #lanes .power .off { fill: #e6e6e6; }
#lanes .cloud .online { fill: #1b7f3b; } #lanes .cloud .offline { fill: #d8d8d8; }
#lanes .cloud .stale { fill: #a9cfb4; }
#lanes .gap { fill: #f2f2f2; stroke: #bbbbbb; stroke-dasharray: 4 3; }
#drawn:empty { display: none; }
#lanes .outage { fill: #ff9800; fill-opacity: 0.16; } #lanes .outage-edge { stroke: #e07b00; stroke-width: 1.5; }
#lanes .outage-edge.unplaced { stroke-dasharray: 4 3; } #lanes .effective { stroke: #c62828; stroke-width: 1.5; stroke-dasharray: 3 2; }
#lanes .tick { stroke: #5561a8; } #lanes .step { stroke: #bdbdbd; stroke-dasharray: 1 2; }
#lanes .mark { fill: #2962ff; } #lanes .call.ok { fill: #1b7f3b; } #lanes .call.bad { fill: #b3261e; }
#lanes .failure-marker { stroke: #b3261e; stroke-width: 3; } #lanes .failure-marker.marked { stroke: #000; stroke-width: 4; }
.legend span { margin-right: 1em; color: #444; font-size: 0.9em; }
pre.serial { background: #111; color: #ddd; padding: 0.5em; overflow-x: auto; font-size: 12px; max-height: 24em; }
pre.serial mark { background: #b3261e; color: #fff; }
.failure-detail { margin-bottom: 1.2em; } .failure-detail:target { outline: 2px solid #b3261e; }
svg.trend text { font-size: 10px; } svg.trend .axis { stroke: #ccc; }
svg.trend .this { stroke: #000; } .trend-block { display: inline-block; margin-right: 2em; vertical-align: top; }
)CSS";
}

}  // namespace cyanrig
