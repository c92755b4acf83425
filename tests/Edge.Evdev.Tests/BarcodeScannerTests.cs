using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Evdev.Tests;

/// <summary>The scanner's read thread over a scripted device.</summary>
public class BarcodeScannerTests
{
    private static BarcodeScanner Start(FakeInputSource source, TimeProvider? time = null, KeyboardWedgeOptions? decoding = null) =>
        new(source, KeyboardLayout.UnitedStates, new BarcodeScannerOptions { Decoding = decoding ?? new KeyboardWedgeOptions() }, NullLogger.Instance, time ?? TimeProvider.System);

    private static async Task<ScanOutcome> Next(BarcodeScanner scanner)
    {
        // WaitToReadAsync rethrows the exception the channel was completed with (ReadAsync would wrap it).
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (await scanner.Outcomes.WaitToReadAsync(cts.Token))
        {
            if (scanner.Outcomes.TryRead(out var outcome))
            {
                return outcome;
            }
        }

        throw new InvalidOperationException("the outcomes ended without an error");
    }

    [Fact]
    public async Task Key_events_from_the_device_arrive_as_scans()
    {
        var source = new FakeInputSource();
        await using var scanner = Start(source);
        source.Keys("KEY_LEFTSHIFT+ KEY_A+ KEY_A- KEY_LEFTSHIFT- KEY_1+ KEY_1- KEY_ENTER+ KEY_ENTER-");
        source.Keys("KEY_4+ KEY_4- KEY_2+ KEY_2- KEY_KPENTER+ KEY_KPENTER-");

        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var scans = new List<string>();
        await foreach (var scan in scanner.ReadScansAsync(cts.Token))
        {
            scans.Add(scan.Text);
            if (scans.Count == 2)
            {
                break;
            }
        }

        Assert.Equal(["A1", "42"], scans);
        Assert.Equal("Fake Scanner", scanner.Name);
    }

    [Fact]
    public async Task An_unplugged_scanner_ends_the_outcomes_with_a_device_lost_exception_naming_the_device()
    {
        var source = new FakeInputSource();
        await using var scanner = Start(source);
        source.Keys("KEY_7+ KEY_7-");
        source.Unplug();

        var discarded = Assert.IsType<DiscardedScan>(await Next(scanner));
        Assert.Equal(ScanDiscardReason.DeviceLost, discarded.Reason);
        Assert.Equal("7", discarded.PartialText);

        var ex = await Assert.ThrowsAsync<EvdevDeviceLostException>(async () => await Next(scanner));
        Assert.Contains("/dev/input/event-fake", ex.Message);
        Assert.Equal(19, ex.NativeErrorCode);
        await Assert.ThrowsAsync<EvdevDeviceLostException>(async () =>
        {
            await foreach (var _ in scanner.ReadScansAsync())
            {
            }
        });
    }

    [Fact]
    public async Task Kernel_dropped_events_discard_the_scan_in_progress_and_resync_modifiers()
    {
        var source = new FakeInputSource();
        await using var scanner = Start(source);
        source.Keys("KEY_LEFTSHIFT+ KEY_X+ KEY_X-");
        source.Dropped();
        source.Keys("KEY_Y+ KEY_Y- KEY_ENTER+ KEY_ENTER-");

        Assert.Equal(ScanDiscardReason.EventsDropped, Assert.IsType<DiscardedScan>(await Next(scanner)).Reason);
        Assert.Equal("y", Assert.IsType<BarcodeScan>(await Next(scanner)).Text);
    }

    [Fact]
    public async Task A_partial_scan_left_without_keys_is_discarded_while_the_device_is_idle()
    {
        var source = new FakeInputSource();
        var time = new ManualTimeProvider();
        await using var scanner = Start(source, time, new KeyboardWedgeOptions { StaleScanTimeout = TimeSpan.FromSeconds(2) });
        source.Keys("KEY_1+ KEY_1- KEY_2+ KEY_2-");
        Assert.True(SpinWait.SpinUntil(() => source.IdleWaitsWithNothingLeft > 0, TimeSpan.FromSeconds(5)));
        time.Advance(TimeSpan.FromSeconds(3));

        var discarded = Assert.IsType<DiscardedScan>(await Next(scanner));
        Assert.Equal(ScanDiscardReason.Stale, discarded.Reason);
        Assert.Equal("12", discarded.PartialText);
    }

    [Fact]
    public async Task Disposing_stops_reading_and_closes_the_device()
    {
        var source = new FakeInputSource();
        var scanner = Start(source);
        await scanner.DisposeAsync();
        Assert.True(source.Disposed);
        Assert.True(scanner.Outcomes.Completion.IsCompleted);
    }
}
