#!/bin/sh
# End to end in real time: `cyanrig monitor` against `cyanrig sim serve` (real HTTP, ptys, shell
# command backends). The served cloud goes down (every Particle API request answered 503): a probe
# fails and /metrics shows it; the cloud back, the next probe passes again.
# (Not an outage through `sim ctl outage`: the monitor skips the devices of a segment with an
# outage in force, so no probe would run; see docs/monitoring.md.)
# Usage: served_monitor_test.sh CYANRIG SOURCE_DIR
set -eu
cyanrig=$1
probe=$2/tests/monitor/served_probe.yaml
. "$2/tests/monitor/served_monitor_lib.sh"

serve_rack --seed 5
start_monitor --probe "$probe" --every 15s

success='cyanrig_probe_success{device="argon-1",platform="argon",probe="served_canary"}'
wait_for "$success" 1 60 || fail "argon-1 never passed a probe on the healthy served rack"
promtool check metrics <"$work/metrics" || fail "promtool check metrics"

# The served cloud down. Bound: the probe in progress (<= 45 s), the next one starting within 15 s,
# its 30 s connect limit, one scrape.
"$cyanrig" sim ctl --url "$sim_url" fault --status 503 --count 1000000
wait_for "$success" 0 100 || fail "the probe did not fail while the cloud was down"
grep -Eq 'result="(failure|error)"} [1-9]' "$work/metrics" || fail "the failed probe was not counted"

"$cyanrig" sim ctl --url "$sim_url" fault --clear
wait_for "$success" 1 100 || fail "the probe did not recover after the cloud came back"

stop_monitor
# SIGTERM left argon-1's relay in the rack's safe state (off).
argon_powered false || fail "argon-1 was not left powered off"
echo ok
