#!/usr/bin/env bash
# Benchmark: how the engine scales with its work (docs/benchmarks.md). reboot_during_outage with
# 10, 100 and 1000 repeats on the 8-, 16- and 64-device simulated racks: wall seconds, peak RSS, and
# whether two runs with the same seed give a byte-identical events.jsonl (checked at 100 repeats).
# Usage: scripts/bench/scaling.sh [path/to/cyanrig] [repeats...]
set -euo pipefail
cd "$(dirname "$0")/../.."
CYANRIG=${1:-build/release/cyanrig}
shift || true
REPEATS=("${@:-10 100 1000}")
read -r -a REPEATS <<<"${REPEATS[*]}"
RACKS=(scenarios/racks/sim.yaml scenarios/racks/sim16.yaml scenarios/racks/sim64.yaml)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

printf '%-8s %8s %10s %9s %12s %8s %s\n' devices repeats sim_h wall_s peak_rss_MB events identical_events
for rack in "${RACKS[@]}"; do
  devices=$(grep -c '^  - {name:' "$rack")
  for n in "${REPEATS[@]}"; do
    scenario="$work/rdo-$n.yaml"
    sed "s/^repeat: .*/repeat: $n/" scenarios/reboot_during_outage.yaml >"$scenario"
    identical=-
    for run in a b; do
      [ "$run" = b ] && [ "$n" != 100 ] && continue
      rm -rf "$work/$run" && mkdir -p "$work/$run"
      set +e
      /usr/bin/time -f '%e %M' -o "$work/time.$run" \
        "$CYANRIG" run "$scenario" --rack "$rack" --seed 1 --results "$work/$run" --progress quiet --no-history \
        >"$work/out.$run" 2>&1 || true
      set -e
    done
    dir_a=$(ls -d "$work"/a/*/ | head -n 1)
    if [ "$n" = 100 ]; then
      dir_b=$(ls -d "$work"/b/*/ | head -n 1)
      identical=no
      cmp -s "$dir_a/events.jsonl" "$dir_b/events.jsonl" && identical=yes
    fi
    read -r wall rss_kb <"$work/time.a"
    sim=$(sed -n 's/^ *"rig_seconds": *\([0-9.]*\).*/\1/p' "$dir_a/summary.json" | head -n 1)
    events=$(wc -l <"$dir_a/events.jsonl")
    printf '%-8s %8s %10.1f %9.2f %12.1f %8s %s\n' "$devices" "$n" "$(awk -v s="$sim" 'BEGIN{print s/3600}')" \
      "$wall" "$(awk -v k="$rss_kb" 'BEGIN { print k / 1024 }')" "$events" "$identical"
  done
done
