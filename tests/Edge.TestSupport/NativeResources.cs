using System.Runtime.InteropServices;
using Xunit;

namespace Edge.TestSupport;

/// <summary>Process-wide native resource counts that a leak in a binding shows up in.</summary>
public static partial class NativeResources
{
    public static int OpenFileDescriptors() => Directory.GetFiles("/proc/self/fd").Length;

    /// <summary>Bytes the C heap has handed out and not taken back (glibc mallinfo2: in-use blocks plus mmapped blocks).</summary>
    public static long HeapBytesInUse()
    {
        var info = MallInfo2();
        return (long)(info.UordBlks + info.HBlkHd);
    }

    /// <summary>
    /// Runs <paramref name="cycle"/> in <paramref name="windows"/> windows and fails if the C heap grew by more than
    /// <paramref name="maxBytesPerCycle"/> per cycle in EVERY window. A leak is linear and shows in each window;
    /// the runtime's own allocations (tiered JIT, thread arenas) come in bursts and leave some windows flat.
    /// Calibrated in Edge.Serial.Tests: a deliberate 40-byte malloc per cycle grows every 1,000-cycle window by
    /// about 48 KB, while the bindings' quietest windows stay at 0 once the warm-up has let tiered compilation settle.
    /// </summary>
    public static void AssertNoHeapGrowth(Action<int> cycle, int warmUp = 1_000, int windows = 10, int cyclesPerWindow = 1_000, int maxBytesPerCycle = 16)
    {
        ArgumentNullException.ThrowIfNull(cycle);
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

    [StructLayout(LayoutKind.Sequential)]
    private struct MallInfo2Struct
    {
        public nuint Arena;
        public nuint OrdBlks;
        public nuint SmBlks;
        public nuint HBlks;
        public nuint HBlkHd;
        public nuint UsmBlks;
        public nuint FsmBlks;
        public nuint UordBlks;
        public nuint FordBlks;
        public nuint KeepCost;
    }

    [LibraryImport("libc", EntryPoint = "mallinfo2")]
    private static partial MallInfo2Struct MallInfo2();
}
