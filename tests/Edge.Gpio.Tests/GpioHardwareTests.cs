using System.Globalization;
using Edge.TestSupport;

namespace Edge.Gpio.Tests;

/// <summary>
/// Needs a Raspberry Pi with a jumper wire from the loopback output pin to the loopback input pin. Defaults:
/// gpiochip0, BCM 17 (header pin 11) → BCM 27 (header pin 13); override with EDGE_GPIO_CHIP, EDGE_GPIO_LOOPBACK_OUT
/// and EDGE_GPIO_LOOPBACK_IN (on a Pi 5 with an older kernel the header is on "pinctrl-rp1").
/// </summary>
[Trait(Traits.Category, Traits.Hardware)]
public class GpioHardwareTests
{
    private static readonly string s_chip = Environment.GetEnvironmentVariable("EDGE_GPIO_CHIP") ?? "gpiochip0";
    private static readonly int s_out = int.Parse(Environment.GetEnvironmentVariable("EDGE_GPIO_LOOPBACK_OUT") ?? "17", CultureInfo.InvariantCulture);
    private static readonly int s_in = int.Parse(Environment.GetEnvironmentVariable("EDGE_GPIO_LOOPBACK_IN") ?? "27", CultureInfo.InvariantCulture);

    private static async Task<List<GpioEdgeEvent>> Take(GpioInputLine line, int count, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        var events = new List<GpioEdgeEvent>();
        await foreach (var e in line.ReadEventsAsync(cts.Token))
        {
            events.Add(e);
            if (events.Count == count)
            {
                break;
            }
        }

        return events;
    }

    [Fact]
    public async Task Each_pulse_on_the_wired_output_gives_a_rising_and_a_falling_event_with_increasing_kernel_timestamps()
    {
        using var chip = GpioChip.Open(s_chip);
        using var output = chip.RequestOutput(s_out, initialValue: false, "edge-test-out");
        await using var input = chip.RequestInput(s_in, GpioEdge.Both, GpioBias.PullDown, "edge-test-in");

        for (var i = 0; i < 100; i++)
        {
            output.Write(true);
            Thread.Sleep(2);
            output.Write(false);
            Thread.Sleep(2);
        }

        var events = await Take(input, 200, TimeSpan.FromSeconds(10));
        Assert.Equal(200, events.Count);
        Assert.All(events, e => Assert.Equal(GpioGap.None, e.Gap));
        Assert.Equal(Enumerable.Range(0, 200).Select(i => i % 2 == 0 ? GpioEdge.Rising : GpioEdge.Falling), events.Select(e => e.Edge));
        for (var i = 1; i < events.Count; i++)
        {
            Assert.True(events[i].TimestampNanoseconds > events[i - 1].TimestampNanoseconds);
        }

        // Kernel timestamps are taken in the interrupt handler: a 2 ms sleep shows as at least ~2 ms between edges.
        Assert.True(events[1].Timestamp - events[0].Timestamp >= TimeSpan.FromMilliseconds(1.5));
    }

    [Fact]
    public void A_plain_input_reads_the_level_the_wired_output_drives()
    {
        using var chip = GpioChip.Open(s_chip);
        using var output = chip.RequestOutput(s_out, initialValue: true, "edge-test-out");
        using var input = chip.RequestInput(s_in, GpioEdge.None, GpioBias.PullDown, "edge-test-in");
        Assert.True(input.Read());
        output.Write(false);
        Assert.False(input.Read());
    }

    [Fact]
    public void Requesting_a_line_that_is_already_held_names_its_holder()
    {
        using var chip = GpioChip.Open(s_chip);
        using var first = chip.RequestOutput(s_out, initialValue: false, "edge-test-holder");
        var ex = Assert.Throws<GpioException>(() => chip.RequestInput(s_out, GpioEdge.Rising));
        Assert.Equal(16, ex.NativeErrorCode);
        Assert.Contains("edge-test-holder", ex.Message);
    }

    [Fact]
    public void An_offset_beyond_the_chip_names_the_valid_range()
    {
        using var chip = GpioChip.Open(s_chip);
        var ex = Assert.Throws<GpioException>(() => chip.RequestInput(chip.LineCount + 5, GpioEdge.Rising));
        Assert.Contains($"{chip.LineCount} lines", ex.Message);
    }

    [Fact]
    public async Task A_burst_faster_than_the_pump_is_either_delivered_completely_or_flagged()
    {
        using var chip = GpioChip.Open(s_chip);
        using var output = chip.RequestOutput(s_out, initialValue: false, "edge-test-out");
        await using var input = chip.RequestInput(s_in, GpioEdge.Both, GpioBias.PullDown, "edge-test-in");

        for (var i = 0; i < 2_000; i++)
        {
            output.Write(true);
            output.Write(false);
        }

        await Task.Delay(500);
        var events = new List<GpioEdgeEvent>();
        while (input.Events.TryRead(out var e))
        {
            events.Add(e);
        }

        var s = input.Statistics;
        Assert.Equal(s.EventsRead, s.EventsDelivered + s.EventsDebounced + s.DroppedByReader);
        if (events.Count < 4_000)
        {
            Assert.Contains(events, e => e.Gap != GpioGap.None);
        }
    }

    [Fact]
    public void Ten_thousand_open_request_release_cycles_leave_no_handle_and_no_heap_growth()
    {
        // Plain inputs: an edge line's pump needs up to one 100 ms poll to stop, which would make 10,000 cycles take
        // a quarter of an hour; every 100th cycle still requests edge events to cover that path too.
        NativeResources.AssertNoHeapGrowth(i =>
        {
            using var chip = GpioChip.Open(s_chip);
            using var line = chip.RequestInput(s_in, i % 100 == 0 ? GpioEdge.Rising : GpioEdge.None, GpioBias.PullDown, "edge-test-cycle");
        });
        Assert.Equal(0, GpioNativeDiagnostics.LiveHandles);
    }
}
