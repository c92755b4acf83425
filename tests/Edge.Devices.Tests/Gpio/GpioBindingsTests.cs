using Edge.Devices.Gpio;
using Edge.Gpio;

namespace Edge.Devices.Tests.Gpio;

public class GpioBindingsTests
{
    [Fact]
    public void Binding_events_map_to_pulse_edges_with_their_loss_hint()
    {
        Assert.Equal(new PulseEdge(EdgeKind.Rising, 123, EdgeGap.None), GpioBindings.ToPulseEdge(new GpioEdgeEvent(4, GpioEdge.Rising, 123, 1, GpioGap.None)));
        Assert.Equal(new PulseEdge(EdgeKind.Falling, 456, EdgeGap.Possible), GpioBindings.ToPulseEdge(new GpioEdgeEvent(4, GpioEdge.Falling, 456, 2, GpioGap.Possible)));
        Assert.Equal(EdgeGap.Certain, GpioBindings.ToPulseEdge(new GpioEdgeEvent(4, GpioEdge.Rising, 789, 3, GpioGap.Certain)).Gap);
    }

    [Fact]
    public void Certain_gap_on_an_accepted_edge_is_one_suspected_miss()
    {
        var c = new PulseCounter(new PulseCounterOptions { DeviceId = "eye1", Debounce = TimeSpan.FromMilliseconds(5) }, null);
        c.OnEdge(new PulseEdge(EdgeKind.Rising, 0));

        // Both signs on one edge: a second rising edge, which the binding also flagged as certain.
        c.OnEdge(new PulseEdge(EdgeKind.Rising, 100_000_000, EdgeGap.Certain));

        Assert.Equal(1, c.SuspectedMissedEdges);
    }

    [Fact]
    public void Certain_gap_within_the_debounce_interval_is_bounce_not_a_miss()
    {
        var c = new PulseCounter(new PulseCounterOptions { DeviceId = "eye1", Debounce = TimeSpan.FromMilliseconds(5) }, null);
        c.OnEdge(new PulseEdge(EdgeKind.Rising, 0));
        c.OnEdge(new PulseEdge(EdgeKind.Rising, 1_000_000, EdgeGap.Certain));

        Assert.Equal(0, c.SuspectedMissedEdges);
        Assert.Equal(1, c.DebouncedEdges);
    }

    [Fact]
    public void Possible_gap_is_counted_apart_from_suspected_misses()
    {
        var c = new PulseCounter(new PulseCounterOptions { DeviceId = "eye1" }, null);
        c.OnEdge(new PulseEdge(EdgeKind.Rising, 0, EdgeGap.Possible));

        Assert.Equal(1, c.PossibleOverruns);
        Assert.Equal(0, c.SuspectedMissedEdges);
    }
}
