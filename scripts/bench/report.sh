#!/usr/bin/env bash
# Benchmark: report.html for a big run, 16 devices x 100 repeats (docs/benchmarks.md): the run on the
# 16-device simulated rack (reboot_during_outage with `repeat: 100`, one device orphaning so there are
# failures), then the report's size, how long `cyanrig report` takes to write it, and how long headless
# Chromium takes to draw it (the page's own measurement of its script, and the whole --dump-dom
# against an empty page's).
# Usage: scripts/bench/report.sh [path/to/cyanrig]
set -euo pipefail
cd "$(dirname "$0")/../.."
CYANRIG=${1:-build/release/cyanrig}
work=$(mktemp -d /tmp/cyanrig-report-bench-XXXXXX)
trap 'rm -rf "$work"' EXIT

sed 's/^repeat: .*/repeat: 100/' scenarios/reboot_during_outage.yaml >"$work/big.yaml"
sed 's/\(- {name: p2-1,.*firmware: 1\.0\.0\)}/\1, faults: {orphan_after_outage: 0.3}}/' scenarios/racks/sim16.yaml \
  >"$work/rack.yaml"
/usr/bin/time -f '%e' -o "$work/run.time" "$CYANRIG" run "$work/big.yaml" --rack "$work/rack.yaml" --no-history \
  --progress quiet --results "$work/results" >/dev/null 2>&1 || true
dir=$(ls -d "$work"/results/*)
/usr/bin/time -f '%e %M' -o "$work/report.time" "$CYANRIG" report "$dir" --no-history >/dev/null

chrome=(chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking
        --disable-component-update --disable-sync --window-size=1400,1500)
echo '<!DOCTYPE html><p>empty</p>' >"$work/empty.html"
measure() {  # measure FILE -> seconds for a whole --dump-dom, and the page's data-render-ms
  local start end
  start=$(date +%s.%N)
  "${chrome[@]}" --user-data-dir="$work/profile-$RANDOM" --dump-dom "file://$1" >"$work/dom.html" 2>/dev/null
  end=$(date +%s.%N)
  echo "$(echo "$end - $start" | bc) $(grep -o 'data-render-ms="[0-9]*"' "$work/dom.html" | grep -o '[0-9]*' || echo -)"
}
for i in 1 2 3; do
  read -r empty_s _ < <(measure "$work/empty.html")
  read -r report_s render_ms < <(measure "$dir/report.html")
  echo "chromium --dump-dom: empty page ${empty_s} s, report ${report_s} s; script drew the swimlanes in ${render_ms} ms"
done
failures=$(grep -c '"kind":"failure"' "$dir/events.jsonl" || true)
echo "run: $(grep -c . "$dir/events.jsonl") events, $(ls "$dir"/serial | wc -l) devices, ${failures} failures, $(cat "$work/run.time") s wall"
echo "report.html: $(stat -c %s "$dir/report.html") bytes ($(stat -c %s "$dir/events.jsonl") bytes of events.jsonl); cyanrig report: $(cut -d' ' -f1 "$work/report.time") s, $(($(cut -d' ' -f2 "$work/report.time") / 1024)) MB peak"
lanes=$(grep -o '<g class="lane" data-device="[A-Za-z0-9_.-]*" transform' "$work/dom.html" | wc -l || true)
echo "swimlanes drawn: $lanes"
