#!/usr/bin/env bash
# Serial benchmark (docs/benchmarks.md): PORTS ptys, each fed Device OS lines at RATE bytes/s
# (115200 baud's byte rate) for DURATION seconds, read once by cyanrig (tty backend + LineFramer on
# one steady clock loop) and once by one grabserial process per port. Prints both side by side:
# lines lost or reordered, host-timestamp delay (arrival minus the send time in the line), CPU as a
# share of one core over the writing time, peak RSS (grabserial: the sum over its processes).
# Usage: scripts/bench/serial/run.sh [build dir with tests enabled, default build/dev]
#        PORTS=64 RATE=11520 DURATION=60 scripts/bench/serial/run.sh build/h-sbench
set -euo pipefail
cd "$(dirname "$0")/../../.."
BUILD=${1:-build/dev}
PORTS=${PORTS:-64}
RATE=${RATE:-11520}
DURATION=${DURATION:-60}
BIN=$BUILD/tests/serialhw

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}
if ! command -v grabserial >/dev/null; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends grabserial time
fi
cmake --build "$BUILD" --target serial_bench_writer serial_bench_reader >/dev/null

work=$(mktemp -d)
started=()  # every process this script starts, ended by id on the way out
cleanup() {
  for pid in "${started[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# start_writer DIR START_DELAY: ptys in DIR/ptys.txt, per-port line counts in DIR/sent.txt when done.
start_writer() {
  mkdir -p "$1"
  "$BIN/serial_bench_writer" --ports "$PORTS" --rate "$RATE" --duration "$DURATION" --start-delay "$2" \
    --paths "$1/ptys.txt" --sent "$1/sent.txt" --linger $((DURATION + 120)) >"$1/writer.txt" &
  writer=$!
  started+=("$writer")
  while [ ! -f "$1/ptys.txt" ]; do sleep 0.05; done
}

stop_writer() {
  kill "$writer" 2>/dev/null || true
  wait "$writer" 2>/dev/null || true
  echo "  $(cat "$1/writer.txt")"
}

echo "cyanrig: $PORTS ptys x $RATE B/s x ${DURATION}s ..."
start_writer "$work/cyanrig" 2
"$BIN/serial_bench_reader" --ptys "$work/cyanrig/ptys.txt" --sent "$work/cyanrig/sent.txt" \
  --max-wait $((DURATION + 60)) >"$work/cyanrig.txt" 2>"$work/cyanrig.log"
stop_writer "$work/cyanrig"

# 64 Python interpreters take a few seconds to start on two cores: give them 5 s before the first
# line and let each stop 10 s after the last (-e counts from its own start).
echo "grabserial: $PORTS processes ..."
start_writer "$work/grab" 5
mkdir -p "$work/grab/logs"
grabbers=()
while read -r n path; do
  /usr/bin/time -f '%U %S %M' -o "$work/grab/logs/$n.time" \
    timeout $((DURATION + 60)) grabserial -S -d "$path" -b 115200 -T -F '%s.%f' -n -Q -e $((DURATION + 15)) \
    -o "$work/grab/logs/$n.log" >"$work/grab/logs/$n.out" 2>&1 &
  grabbers+=($!)
  started+=($!)
done <"$work/grab/ptys.txt"
wait "${grabbers[@]}" || true
stop_writer "$work/grab"
"$BIN/serial_bench_reader" --grabserial-logs "$work/grab/logs" --sent "$work/grab/sent.txt" >"$work/grabserial.txt"
cat "$work"/grab/logs/*.time | awk -v d="$DURATION" '
  NF == 3 { cpu += $1 + $2; rss += $3 }
  END { printf "cpu_s %.2f\ncpu_pct_of_core %.1f\npeak_rss_mb %.1f\n", cpu, 100 * cpu / d, rss / 1024 }' \
  >>"$work/grabserial.txt"

echo
awk 'FNR == NR { if (NF == 2) { order[++n] = $1; a[$1] = $2 } next }
     NF == 2 { b[$1] = $2 }
     END { printf "%-18s %12s %12s\n", "", "cyanrig", "grabserial"
           for (i = 1; i <= n; ++i) printf "%-18s %12s %12s\n", order[i], a[order[i]], (order[i] in b ? b[order[i]] : "-") }' \
  "$work/cyanrig.txt" "$work/grabserial.txt"
