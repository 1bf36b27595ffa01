#!/usr/bin/env bash
# Benchmark: LED decoder accuracy and speed on generated traces (docs/benchmarks.md, "LED decoder
# accuracy" and "... on the realistic optics"). Every default signal, off, SOS codes 1-20 and
# cloud-error flashes in random order, at 50, 100 and 200 Hz with brightness 0.2-1.0, ambient light,
# noise, jitter and 1% lost samples, read through each optics variant of docs/led.md (crosstalk,
# channel gains, LED dies, room light with infrared) raw and through the colour correction
# `cyanrig led calibrate` would record. Prints a row per variant, mode and rate and exits non-zero
# when a target is missed (share of time labelled correctly >= 99%, every transition within 1.5
# periods of the new pattern, SOS codes and flash counts exact, >= 1 million samples/s on one
# core). About 30 s.
# Usage: scripts/bench/led_accuracy.sh [build dir with tests enabled, default build/dev] [options]
#   options go to the benchmark: --seeds N, --stretches N, --problems N, --show SEED FROM_S TO_S,
#   --optics NAME (repeatable), --uncalibrated | --calibrated, --details, --quick
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD=${1:-build/dev}
shift || true
. scripts/bench/build_target.sh
build_target "$BUILD" led_decoder_accuracy
exec "$BUILD/tests/led/led_decoder_accuracy" "$@"
