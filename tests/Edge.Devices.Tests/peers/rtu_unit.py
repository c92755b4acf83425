"""A Modbus RTU slave for the device tests: serves ONE unit id on a serial port and stays silent for every other
unit, as a PLC on a multi-drop RS-485 bus does. Commands on stdin, one per line:
    hr ADDRESS VALUE...   write holding registers
prints "ready" once serving and "ok" after each command."""
import asyncio
import sys
import threading

from pymodbus.datastore import ModbusSequentialDataBlock, ModbusServerContext, ModbusSlaveContext
from pymodbus.server import StartAsyncSerialServer
from pymodbus.transaction import ModbusRtuFramer


def main():
    port, unit, baud = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    slave = ModbusSlaveContext(
        di=ModbusSequentialDataBlock(0, [0] * 200),
        co=ModbusSequentialDataBlock(0, [0] * 200),
        hr=ModbusSequentialDataBlock(0, [0] * 200),
        ir=ModbusSequentialDataBlock(0, [0] * 200),
        zero_mode=True,
    )
    context = ModbusServerContext(slaves={unit: slave}, single=False)

    def commands():
        for line in sys.stdin:
            parts = line.split()
            if len(parts) >= 3 and parts[0] == "hr":
                slave.setValues(3, int(parts[1]), [int(v) for v in parts[2:]])
            print("ok", flush=True)

    threading.Thread(target=commands, daemon=True).start()

    async def serve():
        loop = asyncio.get_running_loop()
        loop.call_later(0.5, lambda: print("ready", flush=True))
        await StartAsyncSerialServer(
            context=context, framer=ModbusRtuFramer, port=port, baudrate=baud, ignore_missing_slaves=True)

    asyncio.run(serve())


if __name__ == "__main__":
    main()
