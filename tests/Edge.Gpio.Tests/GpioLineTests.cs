using Edge.Gpio.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gpio.Tests;

/// <summary>The managed line objects and event pump over a scripted chip (no GPIO hardware on this machine).</summary>
public class GpioLineTests
{
    private static (GpioChip Chip, FakeChipBackend Backend) NewChip()
    {
        var backend = new FakeChipBackend();
        return (new GpioChip(backend, "gpiochip-fake", NullLogger.Instance, TimeSpan.FromMilliseconds(20)), backend);
    }

    private static async Task<List<GpioEdgeEvent>> Take(GpioInputLine line, int count)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        var result = new List<GpioEdgeEvent>();
        await foreach (var e in line.ReadEventsAsync(cts.Token))
        {
            result.Add(e);
            if (result.Count == count)
            {
                break;
            }
        }

        return result;
    }

    [Fact]
    public async Task Kernel_edge_events_reach_the_reader_with_their_timestamps_in_order()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            using var line = chip.RequestInput(17, GpioEdge.Rising, GpioBias.PullUp, "pulse-counter");
            var fake = backend.Lines[17];
            fake.Batch(new GpioRawEvent(5_000, GpioEdge.Rising), new GpioRawEvent(9_000, GpioEdge.Rising));
            fake.Batch(new GpioRawEvent(12_000, GpioEdge.Rising));

            var events = await Take(line, 3);

            Assert.Equal([5_000L, 9_000L, 12_000L], events.Select(e => e.TimestampNanoseconds));
            Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
            Assert.Equal("pulse-counter", fake.Request.Consumer);
            Assert.Equal(GpioBias.PullUp, fake.Request.Bias);
            Assert.False(fake.Request.Output);
            Assert.Equal(3, line.Statistics.EventsDelivered);
        }
    }

    [Fact]
    public async Task A_failing_line_ends_the_event_stream_with_a_GpioException_naming_chip_and_line()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            using var line = chip.RequestInput(3, GpioEdge.Both);
            backend.Lines[3].Fail(19, "No such device");

            var ex = await Assert.ThrowsAsync<GpioException>(async () => await Take(line, 1));
            Assert.Equal(19, ex.NativeErrorCode);
            Assert.Contains("gpiochip-fake", ex.Message);
            Assert.Contains("No such device", ex.Message);
        }
    }

    [Fact]
    public void Disposing_a_line_stops_its_pump_and_releases_it()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            var line = chip.RequestInput(5, GpioEdge.Falling);
            var fake = backend.Lines[5];
            SpinWait.SpinUntil(() => Volatile.Read(ref fake.WaitCalls) > 0, TimeSpan.FromSeconds(5));
            line.Dispose();
            var waits = Volatile.Read(ref fake.WaitCalls);
            Thread.Sleep(100);

            Assert.True(fake.Disposed);
            Assert.Equal(waits, Volatile.Read(ref fake.WaitCalls));
            Assert.True(line.Events.Completion.IsCompleted);
        }
    }

    [Fact]
    public void Disposing_the_chip_releases_every_line_still_requested()
    {
        var (chip, backend) = NewChip();
        var input = chip.RequestInput(1, GpioEdge.Rising);
        var output = chip.RequestOutput(2, initialValue: true);
        chip.Dispose();

        Assert.True(backend.Lines[1].Disposed);
        Assert.True(backend.Lines[2].Disposed);
        Assert.True(backend.Disposed);
        Assert.Throws<ObjectDisposedException>(() => output.Write(false));
        Assert.Throws<ObjectDisposedException>(() => input.Read());
        Assert.Throws<ObjectDisposedException>(() => chip.RequestInput(3, GpioEdge.Rising));
    }

    [Fact]
    public void An_output_line_starts_at_its_initial_value_and_drives_what_is_written()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            using var line = chip.RequestOutput(22, initialValue: true, "stack-light", new GpioOutputOptions { ActiveLow = true, Drive = GpioDrive.OpenDrain });
            var fake = backend.Lines[22];
            Assert.True(fake.Request.Output);
            Assert.True(fake.Request.InitialValue);
            Assert.True(fake.Request.ActiveLow);
            Assert.Equal(GpioDrive.OpenDrain, fake.Request.Drive);

            line.Write(false);
            line.Write(true);
            Assert.Equal([false, true], fake.Written);
            Assert.True(line.Value);
        }
    }

    [Fact]
    public void A_plain_input_reads_its_level_and_has_no_event_stream()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            using var line = chip.RequestInput(9, GpioEdge.None);
            backend.Lines[9].Value = true;
            Assert.True(line.Read());
            Assert.Throws<InvalidOperationException>(() => line.Events);
        }
    }

    [Fact]
    public void A_busy_line_is_refused_with_the_holder_named()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            backend.Busy.Add(4);
            var ex = Assert.Throws<GpioException>(() => chip.RequestInput(4, GpioEdge.Rising));
            Assert.Contains("in use by 'other'", ex.Message);
            Assert.Equal(4, ex.Offset);
        }
    }

    [Fact]
    public async Task A_reader_that_falls_behind_loses_events_visibly_not_silently()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            using var line = chip.RequestInput(6, GpioEdge.Rising, options: new GpioInputOptions { EventQueueCapacity = 16 });
            var fake = backend.Lines[6];
            for (var b = 0; b < 3; b++)
            {
                fake.Batch(Enumerable.Range(0, 10).Select(i => new GpioRawEvent((b * 10) + i, GpioEdge.Rising)).ToArray());
            }

            SpinWait.SpinUntil(() => line.Statistics.EventsRead == 30, TimeSpan.FromSeconds(5));
            Assert.Equal(14, line.Statistics.DroppedByReader);

            var queued = await Take(line, 16);
            Assert.All(queued, e => Assert.Equal(GpioGap.None, e.Gap));

            // With room again, the next event arrives and says that events are missing before it.
            fake.Batch(new GpioRawEvent(1_000, GpioEdge.Rising));
            var next = Assert.Single(await Take(line, 1));
            Assert.Equal(GpioGap.Certain, next.Gap);
            Assert.Equal(1_000, next.TimestampNanoseconds);
            Assert.Equal(17, next.Sequence);
        }
    }

    [Fact]
    public void Both_edge_requests_read_the_initial_level_to_check_edge_alternation()
    {
        var (chip, backend) = NewChip();
        using (chip)
        {
            using var line = chip.RequestInput(7, GpioEdge.Both);
            Assert.Equal(GpioEdge.Both, backend.Lines[7].Request.Edge);
        }
    }

    [Fact]
    public void Invalid_options_are_refused_with_the_option_named()
    {
        var (chip, _) = NewChip();
        using (chip)
        {
            var ex = Assert.Throws<ArgumentOutOfRangeException>(() => chip.RequestInput(1, GpioEdge.Rising, options: new GpioInputOptions { Debounce = TimeSpan.FromMilliseconds(-1) }));
            Assert.Contains("Debounce", ex.Message);
        }
    }
}
