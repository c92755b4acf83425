"""Reads an Edge.Modbus server with pymodbus's synchronous TCP client and prints one JSON line.

Reads holding registers 0-9, input registers 0-9, coils 0-9 and discrete inputs 0-9 of unit 1, then writes
holding register 50 = 4321 and coils 60..62 = on,off,on, so the test can observe the writes on its side.
"""
import json
import sys

from pymodbus.client import ModbusTcpClient

client = ModbusTcpClient("127.0.0.1", port=int(sys.argv[1]), timeout=5)
if not client.connect():
    print("FAILED connect", flush=True)
    sys.exit(1)

result = {}
rr = client.read_holding_registers(0, 10, slave=1)
result["hr"] = rr.registers
rr = client.read_input_registers(0, 10, slave=1)
result["ir"] = rr.registers
rr = client.read_coils(0, 10, slave=1)
result["co"] = [bool(b) for b in rr.bits[:10]]
rr = client.read_discrete_inputs(0, 10, slave=1)
result["di"] = [bool(b) for b in rr.bits[:10]]
wr = client.write_register(50, 4321, slave=1)
result["write_register_error"] = wr.isError()
wr = client.write_coils(60, [True, False, True], slave=1)
result["write_coils_error"] = wr.isError()
rr = client.read_holding_registers(1000, 1, slave=1)
result["out_of_range_exception_code"] = getattr(rr, "exception_code", None)
client.close()
print("RESULT " + json.dumps(result), flush=True)
