#!/usr/bin/env bash
# Benchmark: LED and serial timestamps against the simulator's ground truth (docs/benchmarks.md,
# "LED and serial timing"). The built-in sim rack's eight devices run for two hours of virtual time
# (cloud outages every 8 minutes, power cycles every 25) at 50, 100 and 200 Hz; each device's LED is
# read through its sim sensor (realistic optics) and LedDecoder, and its USB serial through
# LineFramer, without the engine. Every state the sim LED shows for 300 ms or more is matched to the
# decoded state of its name; every line the sim device writes to the matching framed line.
# Prints a table per rate and exits non-zero when a target is missed (>= 99% of LED starts within
# +-25 ms and |mean| <= 5 ms; every serial line within +-5 ms). About 6 s.
# Usage: scripts/bench/led_timing.sh [build dir with tests enabled, default build/dev] [options]
#   options go to the benchmark: --minutes N, --seed N, --worst N, --show DEVICE FROM_S TO_S
#   (SHOW_SAMPLES=1 with --show also prints that device's readings), --quick (20 minutes)
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/dev}
shift || true
. scripts/bench/build_target.sh
build_target "$BUILD" led_timing_benchmark
exec "$BUILD/tests/led/led_timing_benchmark" "$@"
