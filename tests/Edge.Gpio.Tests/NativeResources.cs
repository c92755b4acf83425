namespace Edge.Gpio.Tests;

/// <summary>Process-wide native resource counts that a leak shows up in.</summary>
internal static class NativeResources
{
    public static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    public static long HeapBytesInUse() => Interop.Libc.NativeHeapBytesInUse();

    /// <summary>
    /// Runs <paramref name="cycle"/> in <paramref name="windows"/> windows and fails if the C heap grew by more than
    /// <paramref name="maxBytesPerCycle"/> per cycle in EVERY window. A leak is linear and shows in each window;
    /// the runtime's own allocations (tiered JIT, thread arenas) come in bursts and leave some windows flat.
    /// (Calibrated in Edge.Serial.Tests: a deliberate 40-byte malloc per cycle adds ~48 KB to every window.)
    /// </summary>
    public static void AssertNoHeapGrowth(Action<int> cycle, int warmUp = 1_000, int windows = 10, int cyclesPerWindow = 1_000, int maxBytesPerCycle = 16)
    {
        var i = 0;
        while (i < warmUp)
        {
            cycle(i++);
        }

        var growth = new long[windows];
        for (var w = 0; w < windows; w++)
        {
            var before = HeapBytesInUse();
            for (var c = 0; c < cyclesPerWindow; c++)
            {
                cycle(i++);
            }

            growth[w] = HeapBytesInUse() - before;
        }

        var limit = (long)maxBytesPerCycle * cyclesPerWindow;
        Assert.True(growth.Min() < limit, $"the C heap grew in every window of {cyclesPerWindow} cycles (bytes: {string.Join(", ", growth)}); limit {limit}");
    }
}
