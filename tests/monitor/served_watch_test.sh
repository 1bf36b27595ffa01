#!/bin/sh
# End to end in real time: the monitor's watch between probes, against `cyanrig sim serve`. argon-1
# stays powered between probes; a cloud outage on its segment is seen by the monitor (watches skip
# it, nothing is said against the device); after the outage the device is back online but orphaned,
# and the watch finds `ping` timing out well before the device's next probe; a power cycle by hand
# and the watch passes again, counting a restart the monitor did not make.
# Usage: served_watch_test.sh CYANRIG SOURCE_DIR
set -eu
cyanrig=$1
here=$2/tests/monitor
. "$here/served_monitor_lib.sh"

# The served cloud gives up on an unreachable device after 5 s instead of 30 s.
serve_rack --rack "$here/served_watch_rack.yaml" --seed 5 --device-timeout 5s
# A watch that would switch power is refused where it is written.
printf 'scenario: bad_watch\ndevices: all\nsteps:\n  - power: off\n' >"$work/bad_watch.yaml"
code=0
"$cyanrig" monitor --rack "$work/served.yaml" --watch "$work/bad_watch.yaml" >"$work/bad.out" 2>"$work/bad.err" || code=$?
[ "$code" -eq 2 ] || fail "a watch with a power step: exit $code (expected 2)"
grep -q "bad_watch.yaml:4:5: .*a \`power\` step belongs in the probe" "$work/bad.err" ||
  { cat "$work/bad.err"; fail "the power step in the watch was not named at its place"; }

# One probe at the start, the next in 10 min: whatever happens later is the watch's to see.
start_monitor --probe "$here/served_probe.yaml" --every 10m --watch "$here/served_watch.yaml" --watch-every 5s

watch='cyanrig_watch_success{device="argon-1",platform="argon",watch="served_watch"}'
probe='cyanrig_probe_success{device="argon-1",platform="argon",probe="served_canary"}'
wait_for "$watch" 1 90 || fail "argon-1 was never watched on the healthy served rack"
wait_for "$probe" 1 1 || fail "the probe before the watches did not pass"
promtool check metrics <"$work/metrics" || fail "promtool check metrics"

# A reload (SIGHUP) to a rack whose devices are unpowered between probes would have every watch fail:
# it is refused, and the loaded rack kept.
sed -i 's/^safe_power: on$/safe_power: off/' "$work/served.yaml"
kill -HUP "$monitor_pid"
refused=
for _ in $(seq 100); do
  grep -q 'rack reload failed: keeping the rack already loaded' "$work/monitor.err" && refused=yes && break
  sleep 0.1
done
[ -n "$refused" ] || fail "a reload to safe_power: off was not refused"
grep -q "cannot watch this rack: rack '.*' has safe_power: off" "$work/monitor.err" || fail "the refusal did not say why"
sed -i 's/^safe_power: off$/safe_power: on/' "$work/served.yaml"

# A cloud outage on the segment: the monitor sees it (the served rack's status command), holds the
# alerts off and leaves the device alone until the device has lost the cloud.
code=0
"$cyanrig" sim ctl --url "$sim_url" outage lab status || code=$?
[ "$code" -eq 1 ] || fail "outage status exited $code with no outage in force (expected 1)"
"$cyanrig" sim ctl --url "$sim_url" outage lab start cloud drop
"$cyanrig" sim ctl --url "$sim_url" outage lab status || fail "outage status did not exit 0 with the outage in force"
wait_for 'cyanrig_outage_active{segment="lab"}' 1 20 || fail "the monitor did not see the outage"
lost=
for _ in $(seq 120); do
  if ! "$cyanrig" sim ctl --url "$sim_url" status | tr -d ' \n' | grep -q '"state":"cloud_connected"'; then
    lost=yes
    break
  fi
  sleep 1
done
[ -n "$lost" ] || fail "argon-1 never lost the cloud in the outage"
wait_for "$watch" 1 1 || fail "a watch counted the outage against the device"
grep -Eq 'cyanrig_watch_runs_total\{device="argon-1",watch="served_watch",result="skipped"\} [1-9]' "$work/metrics" ||
  fail "no watch was skipped during the outage"

# The outage over: argon-1 reconnects, listed online, yet the cloud cannot reach it. The watch says so
# (bound: the reconnect, a 5 s period, a 15 s look and the 5 s device timeout, with room), and
# the probe, 10 min away, has not run.
"$cyanrig" sim ctl --url "$sim_url" outage lab stop
wait_for 'cyanrig_outage_active{segment="lab"}' 0 20 || fail "the monitor did not see the outage end"
found=
for n in $(seq 90); do
  if grep -q 'watch served_watch on argon-1: failure: .*ping() failed: HTTP 408' "$work/monitor.err"; then
    found=yes
    echo "the watch found ping timing out $n s after the outage ended"
    break
  fi
  sleep 1
done
[ -n "$found" ] || fail "the watch did not find argon-1 orphaned (ping timing out while online)"
wait_for "$watch" 0 10 || fail "cyanrig_watch_success did not drop"
wait_for "$probe" 1 1 || fail "a probe ran: the failure must be the watch's"
wait_for 'cyanrig_device_online{device="argon-1"}' 1 1 || fail "the watch did not see the device listed online"
restarts='cyanrig_device_restarts_total{device="argon-1"}'
wait_for "$restarts" 0 1 || fail "the outage, which did not restart argon-1, was counted as a restart"

# Someone power-cycles it: the orphan state goes, the watch passes again, and its uptime read shows
# a restart the monitor did not make.
"$cyanrig" sim ctl --url "$sim_url" power argon-1 off
sleep 2
"$cyanrig" sim ctl --url "$sim_url" power argon-1 on
wait_for "$watch" 1 90 || fail "the watch did not pass after the power cycle"
wait_for "$restarts" 1 10 || fail "the restart by hand was not found by the watch"
grep -q 'watch served_watch on argon-1: the device restarted by itself since the last watch' "$work/monitor.err" ||
  fail "the restart was not logged"

stop_monitor
# SIGTERM left argon-1's relay in the rack's safe state (on): the canary stays connected.
argon_powered true || fail "argon-1 was not left powered on"
echo ok
