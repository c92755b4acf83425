# shellcheck shell=bash
# Sourced by deploy/local/demo.sh: the simulated plant floor — a weighbridge terminal (Toledo continuous output over
# TCP), the baling press PLC (Modbus TCP, register map baling-press.json), a barcode scanner and an RFID reader
# (line protocol over TCP). The gateway's demo config (40-gateway.sh) reads these ports.

SIM_WEIGHBRIDGE_PORT="${EDGE_SIM_WEIGHBRIDGE_PORT:-4001}"
SIM_PLC_PORT="${EDGE_SIM_PLC_PORT:-5020}"
SIM_SCANNER_PORT="${EDGE_SIM_SCANNER_PORT:-4002}"
SIM_RFID_PORT="${EDGE_SIM_RFID_PORT:-4003}"

for sim_port in "$SIM_WEIGHBRIDGE_PORT" "$SIM_PLC_PORT" "$SIM_SCANNER_PORT" "$SIM_RFID_PORT"; do
  if port_busy "$HOST" "$sim_port"; then
    log "port $sim_port on $HOST is already in use; set EDGE_SIM_WEIGHBRIDGE_PORT / EDGE_SIM_PLC_PORT / EDGE_SIM_SCANNER_PORT / EDGE_SIM_RFID_PORT (see edge/Edge.Simulators/README.md)."
    exit 1
  fi
done

log "building the simulators (Release)…"
if ! dotnet build "$ROOT/edge/Edge.Simulators/Edge.Simulators.csproj" -c Release -v quiet -nologo >"$STATE/logs/build-simulators.log" 2>&1; then
  log "building the simulators failed; see .demo/logs/build-simulators.log"
  exit 1
fi

start simulators dotnet "$ROOT/edge/Edge.Simulators/bin/Release/net10.0/Edge.Simulators.dll" all \
  --address "$HOST" \
  --weighbridge-port "$SIM_WEIGHBRIDGE_PORT" \
  --plc-port "$SIM_PLC_PORT" \
  --scanner-port "$SIM_SCANNER_PORT" \
  --rfid-port "$SIM_RFID_PORT" \
  --register-map "$ROOT/firmware-contracts/register-maps/baling-press.json" \
  --bale-interval "${EDGE_SIM_BALE_INTERVAL_S:-3}" \
  --restart-every "${EDGE_SIM_PLC_RESTART_S:-300}" \
  --interval "${EDGE_SIM_SCAN_INTERVAL_S:-6}"
wait_for "the simulators" 30 port_busy "$HOST" "$SIM_RFID_PORT"
wait_for "the PLC simulator" 10 port_busy "$HOST" "$SIM_PLC_PORT"
