#!/usr/bin/env bash
# Benchmark: `cyanrig monitor` on the built-in simulated rack in virtual time (docs/benchmarks.md).
# Runs the monitor for 1 simulated hour, 1 day and 7 days (8 devices, a canary probe per device
# every 5 min) under /usr/bin/time -v: peak RSS must stay <= 50 MB and flat after the first hour
# (the 7-day peak equal to the 1-hour peak within a few MB), wall time is recorded.
# Usage: scripts/bench/monitor.sh [path/to/cyanrig] [durations...]
set -euo pipefail
cd "$(dirname "$0")/../.."
CYANRIG=${1:-build/release/cyanrig}
shift || true
DURATIONS=("${@:-1h 1d 7d}")
read -r -a DURATIONS <<<"${DURATIONS[*]}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-9s %8s %10s %12s %8s %s\n' duration probes wall_s peak_rss_MB failed exit
for d in "${DURATIONS[@]}"; do
  set +e
  /usr/bin/time -v -o "$work/$d.time" "$CYANRIG" monitor --duration "$d" --every 5m \
    --textfile "$work/$d.prom" >"$work/$d.out" 2>"$work/$d.err"
  code=$?
  set -e
  probes=$(sed -n 's/^cyanrig monitor: stopped after \([0-9]*\) probe.*/\1/p' "$work/$d.out")
  wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): //p' "$work/$d.time" |
    awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.1f", s }')
  rss_kb=$(sed -n 's/.*Maximum resident set size (kbytes): //p' "$work/$d.time")
  failed=$(awk '/^cyanrig_probe_runs_total\{.*result="(failure|error)"/ { n += $2 } END { print n + 0 }' "$work/$d.prom")
  printf '%-9s %8s %10s %12.1f %8s %s\n' "$d" "$probes" "$wall" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')" "$failed" "$code"
done
