"""A pymodbus 3.0 server (TCP or RTU) for Edge.Modbus integration tests.

Every unit u serves 200 items of each table from address 0 (zero_mode): holding register i = u*1000 + i,
input register i = u*2000 + i, discrete input i = (i % 3 == 0), coils all off. Unknown units: on TCP pymodbus
answers exception 0x0B; on RTU its framer stays silent (the test's dead unit).

Control lines on stdin, answered on stdout (so tests check what reached the server side):
  get UNIT TABLE ADDRESS COUNT      -> VALUES [..]      TABLE is co, di, hr or ir
  set UNIT TABLE ADDRESS V1,V2,...  -> OK
Prints READY once serving.
"""
import argparse
import asyncio
import json
import sys
import threading
import time

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.framer.rtu_framer import ModbusRtuFramer
from pymodbus.server import StartAsyncSerialServer, StartAsyncTcpServer

SIZE = 200
_out = threading.Lock()


def say(line):
    # print() writes text and newline separately; the control thread and the main thread must not interleave.
    with _out:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()
FUNCTION = {"co": 1, "di": 2, "hr": 3, "ir": 4}


def make_unit(u):
    return ModbusSlaveContext(
        co=ModbusSequentialDataBlock(0, [False] * SIZE),
        di=ModbusSequentialDataBlock(0, [i % 3 == 0 for i in range(SIZE)]),
        hr=ModbusSequentialDataBlock(0, [(u * 1000 + i) % 65536 for i in range(SIZE)]),
        ir=ModbusSequentialDataBlock(0, [(u * 2000 + i) % 65536 for i in range(SIZE)]),
        zero_mode=True,
    )


def control(context):
    for line in sys.stdin:
        parts = line.split()
        try:
            if parts[0] == "get":
                unit, table, address, count = int(parts[1]), parts[2], int(parts[3]), int(parts[4])
                values = context[unit].getValues(FUNCTION[table], address, count)
                say("VALUES " + json.dumps([int(v) for v in values]))
            elif parts[0] == "set":
                unit, table, address = int(parts[1]), parts[2], int(parts[3])
                values = [int(v) for v in parts[4].split(",")]
                # setValues uses the write function codes for the writable tables; 2/4 go straight to the block.
                context[unit].store[context[unit].decode(FUNCTION[table])].setValues(address, values)
                say("OK")
        except Exception as exc:  # a malformed line must not kill the server
            say("ERROR " + repr(exc))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tcp", type=int)
    parser.add_argument("--rtu")
    parser.add_argument("--units", default="1")
    parser.add_argument("--baud", type=int, default=19200)
    parser.add_argument("--slow-unit", type=int, default=-1)
    parser.add_argument("--slow-delay", type=float, default=0.0)
    args = parser.parse_args()

    units = [int(u) for u in args.units.split(",")]
    context = ModbusServerContext(slaves={u: make_unit(u) for u in units}, single=False)

    def manipulate(response):
        # Blocks the event loop on purpose: a slow unit on a serial line delays everything behind it too.
        if response.unit_id == args.slow_unit:
            time.sleep(args.slow_delay)
        return response, False

    if args.tcp is not None:
        server = await StartAsyncTcpServer(
            context=context, address=("127.0.0.1", args.tcp), defer_start=True,
            allow_reuse_address=True, response_manipulator=manipulate)
        task = asyncio.create_task(server.serve_forever())
        await server.serving
    else:
        server = await StartAsyncSerialServer(
            context=context, framer=ModbusRtuFramer, port=args.rtu, baudrate=args.baud,
            bytesize=8, parity="N", stopbits=1, defer_start=True, response_manipulator=manipulate)
        await server.start()
        if server.transport is None:
            say("FAILED to open " + args.rtu)
            sys.exit(1)
        task = asyncio.create_task(server.serve_forever())

    threading.Thread(target=control, args=(context,), daemon=True).start()
    say("READY")
    await task


asyncio.run(main())
