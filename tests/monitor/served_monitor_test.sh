#!/bin/sh
# End to end in real time: `cyanrig monitor` against `cyanrig sim serve` (real HTTP, ptys, shell
# command backends). The served cloud goes down (every Particle API request answered 503): a probe
# fails and /metrics shows it; the cloud back, the next probe passes again.
# (Not an outage through `sim ctl outage`: the engine sweeps outages at the start of every run, so
# each probe would lift it; see docs/monitoring.md.)
# Usage: served_monitor_test.sh CYANRIG SOURCE_DIR
set -eu
cyanrig=$1
probe=$2/tests/monitor/served_probe.yaml
work=$(mktemp -d)
serve_pid=
monitor_pid=
cleanup() {
  [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "FAIL: $*"; echo "--- monitor stderr"; tail -20 "$work/monitor.err"; echo "--- metrics"; grep argon-1 "$work/metrics" || true; exit 1; }

"$cyanrig" sim serve --write-rack "$work/served.yaml" --seed 5 >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 200); do grep -q '^ready' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
sim_url=$(sed -n 's/^serving rack .* at //p' "$work/serve.out")
[ -n "$sim_url" ] || { cat "$work/serve.err"; exit 1; }

"$cyanrig" monitor --rack "$work/served.yaml" --probe "$probe" --every 15s --metrics-listen 127.0.0.1:0 \
  >"$work/monitor.out" 2>"$work/monitor.err" &
monitor_pid=$!
for _ in $(seq 100); do
  url=$(sed -n 's/^cyanrig monitor: metrics at //p' "$work/monitor.out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || fail "no metrics address announced"

success='cyanrig_probe_success{device="argon-1",platform="argon",probe="served_canary"}'
# wait_for VALUE SECONDS: until argon-1's probe_success shows VALUE; prints how long it took.
wait_for() {
  start=$(date +%s)
  while [ $(($(date +%s) - start)) -lt "$2" ]; do
    curl -sf "$url" >"$work/metrics" || true
    if grep -qxF "$success $1" "$work/metrics"; then
      echo "probe_success $1 after $(($(date +%s) - start)) s"
      return 0
    fi
    sleep 1
  done
  return 1
}

wait_for 1 60 || fail "argon-1 never passed a probe on the healthy served rack"
promtool check metrics <"$work/metrics" || fail "promtool check metrics"

# The served cloud down. Bound: the probe in progress (<= 45 s), the next one starting within 15 s,
# its 30 s connect limit, one scrape.
"$cyanrig" sim ctl --url "$sim_url" fault --status 503 --count 1000000
wait_for 0 100 || fail "the probe did not fail while the cloud was down"
grep -Eq 'result="(failure|error)"} [1-9]' "$work/metrics" || fail "the failed probe was not counted"

"$cyanrig" sim ctl --url "$sim_url" fault --clear
wait_for 1 100 || fail "the probe did not recover after the cloud came back"

kill -TERM "$monitor_pid"
status=0
wait "$monitor_pid" || status=$?
monitor_pid=
[ "$status" -eq 0 ] || fail "monitor exited $status after SIGTERM"
# SIGTERM left argon-1's relay in the rack's safe state (off).
"$cyanrig" sim ctl --url "$sim_url" status | tr -d ' \n' | grep -o '"name":"argon-1"[^}]*' | grep -q '"powered":false' ||
  fail "argon-1 was not left powered off"
echo ok
