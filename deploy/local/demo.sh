#!/usr/bin/env bash
# ./run demo: a simulated plant on this machine. Every part runs as a child of this script; Ctrl-C or SIGTERM
# stops them all. State lives under .demo/ (ignored by git).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
STATE="${EDGE_DEMO_DIR:-$ROOT/.demo}"
HOST="${EDGE_DEMO_HOST:-127.0.0.1}"
MQTT_PORT="${EDGE_MQTT_PORT:-1883}"
INFLUX_PORT="${EDGE_INFLUX_PORT:-8086}"
INFLUX_RPC_PORT="${EDGE_INFLUX_RPC_PORT:-8088}"
INFLUX_DB="${EDGE_INFLUX_DB:-plant}"
HUB_PORT="${EDGE_HUB_PORT:-5080}"

mkdir -p "$STATE/mosquitto" "$STATE/influxdb" "$STATE/logs"
PIDS=()

log() { printf '[demo] %s\n' "$*"; }

stop_all() {
  trap - INT TERM EXIT
  if [[ ${#PIDS[@]} -gt 0 ]]; then
    log "stopping ${#PIDS[@]} processes…"
    # The last started first: the gateway says goodbye through a broker that is still there (otherwise the broker
    # keeps its Last Will and the hub shows an ungraceful death at the next start), and the hub finishes its writes
    # before InfluxDB goes away.
    local deadline=$((SECONDS + 20))
    local i pid own
    for (( i = ${#PIDS[@]} - 1; i >= 0; i-- )); do
      pid="${PIDS[i]}"
      kill -TERM "$pid" 2>/dev/null || true
      own=$((SECONDS + 5))
      while kill -0 "$pid" 2>/dev/null && (( SECONDS < own && SECONDS < deadline )); do sleep 0.1; done
      kill -KILL "$pid" 2>/dev/null || true
    done
    wait 2>/dev/null || true
  fi
  rm -f "$STATE/pids"
  log "stopped."
}
trap 'stop_all; exit 130' INT
trap 'stop_all; exit 143' TERM
trap 'stop_all' EXIT

# A demo killed with SIGKILL leaves its children behind; reap them so an immediate second run works.
if [[ -f "$STATE/pids" ]]; then
  while read -r pid; do kill -KILL "$pid" 2>/dev/null || true; done < "$STATE/pids"
  rm -f "$STATE/pids"
fi

port_busy() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
for p in "$MQTT_PORT" "$INFLUX_PORT"; do
  if port_busy "$HOST" "$p"; then
    log "port $p on $HOST is already in use by another program; set EDGE_MQTT_PORT / EDGE_INFLUX_PORT (see README.md)."
    exit 1
  fi
done

start() { # name, then the command
  local name="$1"; shift
  "$@" >"$STATE/logs/$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  echo "$pid" >> "$STATE/pids"
  log "started $name (pid $pid, log .demo/logs/$name.log)"
}

wait_for() { # description, seconds, test command…
  local what="$1" secs="$2"; shift 2
  local deadline=$((SECONDS + secs))
  until "$@" >/dev/null 2>&1; do
    (( SECONDS < deadline )) || { log "$what did not come up; see the logs in .demo/logs/"; exit 1; }
    sleep 0.2
  done
}

render() { # template, output, then KEY=VALUE…
  local tpl="$1" out="$2"; shift 2
  local content; content=$(<"$tpl")
  for kv in "$@"; do content=${content//@${kv%%=*}@/${kv#*=}}; done
  printf '%s\n' "$content" > "$out"
}

MOSQUITTO=$(command -v mosquitto || echo /usr/sbin/mosquitto)
render "$ROOT/deploy/local/mosquitto.conf" "$STATE/mosquitto.conf" "PORT=$MQTT_PORT" "HOST=$HOST" "DATA=$STATE/mosquitto"
start mosquitto "$MOSQUITTO" -c "$STATE/mosquitto.conf"
wait_for "Mosquitto" 10 port_busy "$HOST" "$MQTT_PORT"

render "$ROOT/deploy/local/influxdb.conf" "$STATE/influxdb.conf" "PORT=$INFLUX_PORT" "HOST=$HOST" "RPC_PORT=$INFLUX_RPC_PORT" "DATA=$STATE/influxdb"
start influxd influxd -config "$STATE/influxdb.conf"
wait_for "InfluxDB" 30 curl -sf "http://$HOST:$INFLUX_PORT/ping"
curl -sf -XPOST "http://$HOST:$INFLUX_PORT/query" --data-urlencode "q=CREATE DATABASE \"$INFLUX_DB\"" >/dev/null

# Later parts (hub, gateway, simulators) hook in here through deploy/local/demo.d/*.sh, sourced in order.
if compgen -G "$ROOT/deploy/local/demo.d/*.sh" >/dev/null; then
  for part in "$ROOT"/deploy/local/demo.d/*.sh; do
    # shellcheck source=/dev/null
    source "$part"
  done
fi

cat <<INFO

  Edge demo is running. Ctrl-C stops everything.

  MQTT broker   mqtt://$HOST:$MQTT_PORT      try: mosquitto_sub -h $HOST -p $MQTT_PORT -t 'edge/#' -v
  InfluxDB      http://$HOST:$INFLUX_PORT    try: influx -host $HOST -port $INFLUX_PORT -database $INFLUX_DB -execute 'SHOW MEASUREMENTS'
$( [[ -n "${DEMO_EXTRA_INFO:-}" ]] && printf '%s\n' "$DEMO_EXTRA_INFO" )
  State and logs under .demo/

INFO

# Stay in the foreground; if any child dies, say so and stop the rest.
while true; do
  for pid in "${PIDS[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "a child process (pid $pid) exited; stopping the demo. See .demo/logs/."
      exit 1
    fi
  done
  sleep 1
done
