# shellcheck shell=bash
# Sourced by deploy/local/demo.sh: the hub, from the Release build, ingesting from the demo broker into the demo
# InfluxDB, with its SQLite state under .demo/hub/ and its HTTP API on $HUB_PORT. It expects the demo gateway of
# 40-gateway.sh (demo-gw-1 at demo-plant/yard) and its devices, so the roster shows them before they speak.

HUB_STATE="$STATE/hub"
HUB_URL="http://$HOST:$HUB_PORT"
# Demo keys only (at least 16 characters); a real hub takes its keys from the environment or a secrets file.
HUB_ADMIN_KEY="${EDGE_HUB_DEMO_ADMIN_KEY:-demo-admin-key-0123456789}"
HUB_VIEWER_KEY="${EDGE_HUB_DEMO_VIEWER_KEY:-demo-viewer-key-0123456789}"
mkdir -p "$HUB_STATE"

if port_busy "$HOST" "$HUB_PORT"; then
  log "port $HUB_PORT on $HOST is already in use; set EDGE_HUB_PORT (see hub/Edge.Hub/README.md)."
  exit 1
fi

log "building the hub (Release)…"
if ! dotnet build "$ROOT/hub/Edge.Hub/Edge.Hub.csproj" -c Release -v quiet -nologo >"$STATE/logs/build-hub.log" 2>&1; then
  log "building the hub failed; see .demo/logs/build-hub.log"
  exit 1
fi

start hub dotnet "$ROOT/hub/Edge.Hub/bin/Release/net10.0/Edge.Hub.dll" \
  --Urls="$HUB_URL" \
  --Mqtt:Host="$HOST" --Mqtt:Port="$MQTT_PORT" --Mqtt:ClientId=edge-hub-demo \
  --Influx:Url="http://$HOST:$INFLUX_PORT/" --Influx:Database="$INFLUX_DB" \
  --State:Path="$HUB_STATE/state.db" \
  --Roster:Gateways:0:Id=demo-gw-1 --Roster:Gateways:0:Site=demo-plant --Roster:Gateways:0:Area=yard \
  --Roster:Gateways:0:Devices:0=wb-lane-1 --Roster:Gateways:0:Devices:1=bp1 --Roster:Gateways:0:Devices:2=bp1-stack-red \
  --Roster:Gateways:0:Devices:3=bay3-scanner --Roster:Gateways:0:Devices:4=lane1-rfid \
  --Api:Keys:0:Name=demo-admin --Api:Keys:0:Key="$HUB_ADMIN_KEY" --Api:Keys:0:Role=admin \
  --Api:Keys:1:Name=demo-wall-screen --Api:Keys:1:Key="$HUB_VIEWER_KEY" --Api:Keys:1:Role=viewer
wait_for "the hub" 60 curl -sf "$HUB_URL/readyz"

DEMO_EXTRA_INFO="${DEMO_EXTRA_INFO:-}${DEMO_EXTRA_INFO:+
}  Hub           $HUB_URL   admin key: $HUB_ADMIN_KEY   viewer key: $HUB_VIEWER_KEY
                try: curl -s -H 'X-Api-Key: $HUB_VIEWER_KEY' $HUB_URL/api/v1/gateways
                     curl -s $HUB_URL/metrics | grep ^edge_hub_readings
  Live data     influx -host $HOST -port $INFLUX_PORT -database $INFLUX_DB -execute 'SELECT * FROM /^(weight|counter|analog|state|scan)\$/ WHERE time > now() - 5m ORDER BY time DESC LIMIT 10'"
