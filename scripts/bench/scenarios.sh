#!/usr/bin/env bash
# Benchmark: every shipped scenario on the 16-device simulated rack (docs/benchmarks.md).
# For each scenario: simulated seconds, wall seconds, ratio, peak RSS; then the whole suite, and
# whether a second run with the same seed gives a byte-identical events.jsonl.
# Usage: scripts/bench/scenarios.sh [path/to/cyanrig] [seed]
set -euo pipefail
cd "$(dirname "$0")/../.."
CYANRIG=${1:-build/release/cyanrig}
SEED=${2:-1}
RACK=scenarios/racks/sim16.yaml
SCENARIOS=(reboot_during_outage sleep_recovery ota_update connect_time_slo orphan_check)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

field() {  # field NAME summary.json -> the number after "NAME":
  sed -n "s/^ *\"$1\": *\([0-9.]*\).*/\1/p" "$2" | head -n 1
}

printf '%-22s %10s %9s %9s %10s %5s %s\n' scenario sim_s wall_s ratio peak_rss_MB exit identical_events
total_sim=0; total_wall=0; peak=0; all_identical=yes
for s in "${SCENARIOS[@]}"; do
  for run in a b; do
    mkdir -p "$work/$run"
    set +e
    /usr/bin/time -f '%e %M' -o "$work/$s.$run.time" \
      "$CYANRIG" run "scenarios/$s.yaml" --rack "$RACK" --seed "$SEED" --results "$work/$run" --progress quiet \
      >"$work/$s.$run.out" 2>&1
    code=$?
    set -e
  done
  dir_a=$(ls -d "$work"/a/*-"$s" | head -n 1)
  dir_b=$(ls -d "$work"/b/*-"$s" | head -n 1)
  identical=no
  cmp -s "$dir_a/events.jsonl" "$dir_b/events.jsonl" && identical=yes
  [ "$identical" = yes ] || all_identical=no
  read -r wall rss_kb <"$work/$s.a.time"
  sim=$(field rig_seconds "$dir_a/summary.json")
  rss_mb=$(awk -v k="$rss_kb" 'BEGIN { printf "%.1f", k / 1024 }')
  ratio=$(awk -v s="$sim" -v w="$wall" 'BEGIN { printf "%.0f", (w > 0 ? s / w : 0) }')
  printf '%-22s %10.1f %9.2f %9s %10s %5s %s\n' "$s" "$sim" "$wall" "${ratio}x" "$rss_mb" "$code" "$identical"
  total_sim=$(awk -v a="$total_sim" -v b="$sim" 'BEGIN { print a + b }')
  total_wall=$(awk -v a="$total_wall" -v b="$wall" 'BEGIN { print a + b }')
  peak=$(awk -v a="$peak" -v b="$rss_mb" 'BEGIN { print (b > a ? b : a) }')
done
printf '%-22s %10.1f %9.2f %9s %10s %5s %s\n' "all (16 devices)" "$total_sim" "$total_wall" \
  "$(awk -v s="$total_sim" -v w="$total_wall" 'BEGIN { printf "%.0fx", s / w }')" "$peak" "" "$all_identical"
