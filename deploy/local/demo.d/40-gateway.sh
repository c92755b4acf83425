# shellcheck shell=bash
# Sourced by deploy/local/demo.sh: one edge gateway reading every simulator (30-simulators.sh) and publishing to the
# demo broker. Config: deploy/local/gateway.demo.json, rendered into .demo/gateway.json; state under .demo/gateway/.

GATEWAY_STATE="$STATE/gateway"
mkdir -p "$GATEWAY_STATE"

log "building the gateway (Release)…"
if ! dotnet build "$ROOT/edge/Edge.Gateway/Edge.Gateway.csproj" -c Release -v quiet -nologo >"$STATE/logs/build-gateway.log" 2>&1; then
  log "building the gateway failed; see .demo/logs/build-gateway.log"
  exit 1
fi

render "$ROOT/deploy/local/gateway.demo.json" "$STATE/gateway.json" \
  "HOST=$HOST" "MQTT_PORT=$MQTT_PORT" "STATE=$GATEWAY_STATE" "ROOT=$ROOT" \
  "WEIGHBRIDGE_PORT=${SIM_WEIGHBRIDGE_PORT:-4001}" "PLC_PORT=${SIM_PLC_PORT:-5020}" \
  "SCANNER_PORT=${SIM_SCANNER_PORT:-4002}" "RFID_PORT=${SIM_RFID_PORT:-4003}"

start gateway dotnet "$ROOT/edge/Edge.Gateway/bin/Release/net10.0/Edge.Gateway.dll" --config "$STATE/gateway.json"
wait_for "the gateway" 60 grep -q "Connected to" "$STATE/logs/gateway.log"

DEMO_EXTRA_INFO="${DEMO_EXTRA_INFO:-}${DEMO_EXTRA_INFO:+
}  Gateway       demo-gw-1 (site demo-plant, area yard)   try: mosquitto_sub -h $HOST -p $MQTT_PORT -t 'edge/v1/demo-plant/yard/demo-gw-1/#' -v
  Simulators    weighbridge $HOST:${SIM_WEIGHBRIDGE_PORT:-4001}, PLC $HOST:${SIM_PLC_PORT:-5020}, scanner $HOST:${SIM_SCANNER_PORT:-4002}, RFID $HOST:${SIM_RFID_PORT:-4003}"
