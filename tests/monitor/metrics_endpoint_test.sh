#!/bin/sh
# `cyanrig monitor --metrics-listen` on the built-in simulated rack (virtual time, so probes come
# fast): the live /metrics answer passes `promtool check metrics` and carries the probe metrics;
# SIGHUP reloads the rack; SIGTERM stops the monitor with exit 0. Usage: metrics_endpoint_test.sh CYANRIG
set -eu
cyanrig=$1
work=$(mktemp -d)
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$cyanrig" monitor --every 10m --metrics-listen 127.0.0.1:0 >"$work/out" 2>"$work/err" &
pid=$!

url=
for _ in $(seq 100); do
  url=$(sed -n 's/^cyanrig monitor: metrics at //p' "$work/out")
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { echo "no metrics address announced"; cat "$work/err"; exit 1; }

# Wait until every device of the rack has been probed at least once.
for _ in $(seq 200); do
  curl -sf "$url" >"$work/metrics" || true
  [ "$(grep -c '^cyanrig_probe_success{' "$work/metrics")" -ge 8 ] && break
  sleep 0.1
done
grep -c '^cyanrig_probe_success{' "$work/metrics" | grep -qx 8 || { echo "not every device probed:"; cat "$work/metrics"; exit 1; }

promtool check metrics <"$work/metrics"
for family in cyanrig_probe_success cyanrig_probe_runs_total cyanrig_connect_duration_seconds_bucket \
              cyanrig_last_success_timestamp_seconds cyanrig_device_online cyanrig_led_state cyanrig_outage_active; do
  grep -q "^$family{" "$work/metrics" || { echo "missing $family"; exit 1; }
done
grep -q '^up[ {]' "$work/metrics" && { echo "the monitor must not expose up"; exit 1; }
# No device of the in-process simulated rack stays connected between probes: no watch, and it says why.
grep -q '^cyanrig monitor: no watch between probes: the built-in simulated rack starts a new world for every run' "$work/out" ||
  { echo "the monitor did not say why it does not watch:"; cat "$work/out"; exit 1; }
grep -q '^cyanrig_watch_success{' "$work/metrics" && { echo "a watch ran on the simulated rack"; exit 1; }
code=0
"$cyanrig" monitor --watch canary_watch --duration 1m >"$work/watch.out" 2>"$work/watch.err" || code=$?
[ "$code" -eq 2 ] && grep -q -- '--watch canary_watch: cannot watch: the built-in simulated rack' "$work/watch.err" ||
  { echo "--watch on the simulated rack: exit $code"; cat "$work/watch.err"; exit 1; }
# The sim rack's devices pass the canary.
grep -q 'cyanrig_probe_success{device="argon-1",platform="argon",probe="canary"} 1' "$work/metrics" ||
  { echo "argon-1 did not pass:"; grep argon-1 "$work/metrics"; cat "$work/err"; exit 1; }
[ "$(curl -s -o /dev/null -w '%{http_code}' "${url%/metrics}/other")" = 404 ]

# SIGHUP reloads the rack and the monitor keeps going.
kill -HUP "$pid"
for _ in $(seq 100); do grep -q 'rack reloaded from <built-in simulated rack>: 8 devices' "$work/err" && break; sleep 0.1; done
grep -q 'rack reloaded from <built-in simulated rack>: 8 devices' "$work/err" || { echo "SIGHUP did not reload:"; cat "$work/err"; exit 1; }
kill -0 "$pid"

kill -TERM "$pid"
status=0
wait "$pid" || status=$?
pid=
[ "$status" -eq 0 ] || { echo "monitor exited $status after SIGTERM"; cat "$work/err"; exit 1; }
grep -q '^cyanrig monitor: stopped after' "$work/out"
echo ok
