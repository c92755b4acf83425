using System.Globalization;
using Edge.TestSupport;
using static Edge.Outbox.Tests.OutboxTestSupport;

namespace Edge.Outbox.Tests;

public sealed class ClockSyncTests
{
    [Fact]
    public async Task Clock_unsynchronized_flag_is_stored_per_item()
    {
        var options = Options("clock-flag");
        var clock = new KernelClockSyncSource(() => 5, new ManualTimeProvider(), null);
        await using (var outbox = await OpenAsync(options))
        {
            await outbox.AppendAsync(OutboxItem.Create("reading", "scale-1", DateTimeOffset.UtcNow, new byte[] { 1 }, clock));
            await outbox.AppendAsync(Item("synced", clockSynced: true));
        }

        await using (var outbox = await OpenAsync(options))
        {
            var entries = await outbox.ReadAsync(0, 10);
            Assert.Equal([false, true], entries.Select(e => e.ClockSynced));
        }
    }

    [Fact]
    public void Kernel_answer_is_cached_for_the_configured_time_and_time_error_means_unsynchronized()
    {
        var time = new ManualTimeProvider();
        var reads = 0;
        var state = 0;
        var clock = new KernelClockSyncSource(() => { reads++; return state; }, time, null) { CacheFor = TimeSpan.FromSeconds(5) };
        Assert.True(clock.IsSynchronized);
        state = 5;
        Assert.True(clock.IsSynchronized);
        time.Advance(TimeSpan.FromSeconds(4));
        Assert.True(clock.IsSynchronized);
        Assert.Equal(1, reads);
        time.Advance(TimeSpan.FromSeconds(1));
        Assert.False(clock.IsSynchronized);
        Assert.Equal(2, reads);
    }

    [Fact]
    public void Unreadable_clock_state_counts_as_unsynchronized()
    {
        var clock = new KernelClockSyncSource(() => throw new IOException("adjtimex failed"), new ManualTimeProvider(), null);
        Assert.False(clock.IsSynchronized);
    }

    /// <summary>Our adjtimex binding against the same call made from Python's ctypes.</summary>
    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Kernel_clock_state_matches_adjtimex_called_from_python()
    {
        Components.RequirePythonModule("ctypes", "python3");
        const string script = "import ctypes; b = ctypes.create_string_buffer(512); print(ctypes.CDLL('libc.so.6', use_errno=True).adjtimex(b))";
        using var python = ChildProcess.Start(Components.SystemPython, ["-c", script], name: "python-adjtimex");
        Assert.True(await python.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal(0, python.ExitCode);
        var expected = int.Parse(python.Output.Trim(), CultureInfo.InvariantCulture);
        var actual = KernelClockSyncSource.ReadKernelClockState();
        Assert.InRange(actual, 0, 5);
        Assert.Equal(expected, actual);
        Assert.Equal(actual != 5, new KernelClockSyncSource().IsSynchronized);
    }
}
