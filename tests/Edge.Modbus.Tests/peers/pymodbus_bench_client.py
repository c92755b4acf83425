"""Baseline for the modbus benchmark: pymodbus's asyncio TCP client reading 10 holding registers of unit 1, one
transaction at a time. Connects, prints READY, then for every line "go N" on stdin runs N transactions and prints
RATE <transactions per second>; "quit" (or end of input) ends it. Rounds let the harness interleave its own
measurement with this one, so a load change on a shared machine hits both sides alike."""
import asyncio
import sys
import time

from pymodbus.client import AsyncModbusTcpClient


async def main():
    port = int(sys.argv[1])
    client = AsyncModbusTcpClient("127.0.0.1", port=port, timeout=5)
    await client.connect()
    for _ in range(50):  # warm-up
        await client.read_holding_registers(0, 10, slave=1)
    print("READY", flush=True)
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        parts = line.split()
        if not parts or parts[0] != "go":
            break
        count = int(parts[1])
        start = time.perf_counter()
        for _ in range(count):
            rr = await client.read_holding_registers(0, 10, slave=1)
            if rr.isError():
                print("FAILED " + str(rr), flush=True)
                sys.exit(1)
        elapsed = time.perf_counter() - start
        print("RATE %.1f" % (count / elapsed), flush=True)
    await client.close()


asyncio.run(main())
