# Shared by the end-to-end monitor tests: `cyanrig sim serve` and `cyanrig monitor` started in a
# temporary folder, stopped and removed on exit, and a wait on a series of the live /metrics.
# Sourced with $cyanrig set; the caller calls serve_rack, then start_monitor.
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

# serve_rack ARGS...: `cyanrig sim serve ARGS` writing $work/served.yaml; sets $sim_url.
serve_rack() {
  "$cyanrig" sim serve --write-rack "$work/served.yaml" "$@" >"$work/serve.out" 2>"$work/serve.err" &
  serve_pid=$!
  for _ in $(seq 200); do grep -q '^ready' "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
  sim_url=$(sed -n 's/^serving rack .* at //p' "$work/serve.out")
  [ -n "$sim_url" ] || { cat "$work/serve.err"; exit 1; }
}

# start_monitor ARGS...: `cyanrig monitor --rack $work/served.yaml ARGS`; sets $url (its /metrics).
start_monitor() {
  "$cyanrig" monitor --rack "$work/served.yaml" --metrics-listen 127.0.0.1:0 "$@" \
    >"$work/monitor.out" 2>"$work/monitor.err" &
  monitor_pid=$!
  for _ in $(seq 100); do
    url=$(sed -n 's/^cyanrig monitor: metrics at //p' "$work/monitor.out")
    [ -n "$url" ] && break
    sleep 0.1
  done
  [ -n "$url" ] || fail "no metrics address announced"
}

# wait_for SERIES VALUE SECONDS: until /metrics shows the series (name and labels, as exposed) with
# VALUE; prints how long it took. The last scrape stays in $work/metrics.
wait_for() {
  start=$(date +%s)
  while [ $(($(date +%s) - start)) -lt "$3" ]; do
    curl -sf "$url" >"$work/metrics" || true
    if grep -qxF "$1 $2" "$work/metrics"; then
      echo "${1%%\{*} $2 after $(($(date +%s) - start)) s"
      return 0
    fi
    sleep 1
  done
  return 1
}

# stop_monitor: SIGTERM, which must end it with exit 0.
stop_monitor() {
  kill -TERM "$monitor_pid"
  status=0
  wait "$monitor_pid" || status=$?
  monitor_pid=
  [ "$status" -eq 0 ] || fail "monitor exited $status after SIGTERM"
}

# argon_powered true|false: how the served rack's argon-1 supply stands.
argon_powered() {
  "$cyanrig" sim ctl --url "$sim_url" status | tr -d ' \n' | grep -o '"name":"argon-1"[^}]*' | grep -q "\"powered\":$1"
}
