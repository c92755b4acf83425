using Edge.Gpio.Internal;

namespace Edge.Gpio.Tests;

public class EdgeEventSequencerTests
{
    private static GpioRawEvent R(long ns) => new(ns, GpioEdge.Rising);

    private static GpioRawEvent F(long ns) => new(ns, GpioEdge.Falling);

    private static List<GpioEdgeEvent> Run(EdgeEventSequencer sequencer, params GpioRawEvent[][] batches)
    {
        var delivered = new List<GpioEdgeEvent>();
        foreach (var batch in batches)
        {
            sequencer.Process(batch, 16, e =>
            {
                delivered.Add(e);
                return true;
            });
        }

        return delivered;
    }

    [Fact]
    public void Events_keep_kernel_timestamps_and_are_numbered_from_one()
    {
        var events = Run(new EdgeEventSequencer(17, GpioEdge.Rising, TimeSpan.Zero, null), [R(1_000_000_123), R(1_500_000_456)]);
        Assert.Equal([1L, 2L], events.Select(e => e.Sequence));
        Assert.Equal(1_000_000_123, events[0].TimestampNanoseconds);
        Assert.Equal(TimeSpan.FromTicks(15_000_004), events[1].Timestamp);
        Assert.All(events, e => Assert.Equal(17, e.Offset));
        Assert.All(events, e => Assert.Equal(GpioGap.None, e.Gap));
    }

    [Fact]
    public void Two_rising_edges_in_a_row_with_both_edges_requested_flag_a_certain_gap()
    {
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Both, TimeSpan.Zero, initiallyActive: false);
        var events = Run(sequencer, [R(10), F(20), R(30), R(40), F(50)]);
        Assert.Equal([GpioGap.None, GpioGap.None, GpioGap.None, GpioGap.Certain, GpioGap.None], events.Select(e => e.Gap));
        Assert.Equal(1, sequencer.MissedEdges);
    }

    [Fact]
    public void A_first_edge_that_contradicts_the_level_at_request_time_is_a_certain_gap()
    {
        // The line was high when requested, so a rising edge first means a falling edge was lost.
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Both, TimeSpan.Zero, initiallyActive: true);
        var events = Run(sequencer, [R(10)]);
        Assert.Equal(GpioGap.Certain, events[0].Gap);
    }

    [Fact]
    public void Equal_edges_in_a_row_are_normal_when_only_one_edge_is_requested()
    {
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Rising, TimeSpan.Zero, null);
        var events = Run(sequencer, [R(10), R(20), R(30)]);
        Assert.All(events, e => Assert.Equal(GpioGap.None, e.Gap));
        Assert.Equal(0, sequencer.MissedEdges);
    }

    [Fact]
    public void A_read_that_emptied_a_full_kernel_queue_flags_the_next_event_as_a_possible_gap()
    {
        var full = Enumerable.Range(1, 16).Select(i => R(i * 1000L)).ToArray();
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Rising, TimeSpan.Zero, null);
        var events = Run(sequencer, full, [R(100_000)], [R(200_000)]);
        Assert.Equal(18, events.Count);
        Assert.All(events.Take(16), e => Assert.Equal(GpioGap.None, e.Gap));
        Assert.Equal(GpioGap.Possible, events[16].Gap);
        Assert.Equal(GpioGap.None, events[17].Gap);
        Assert.Equal(1, sequencer.FullKernelReads);
    }

    [Fact]
    public void Bounces_within_the_debounce_window_are_dropped_and_counted()
    {
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Rising, TimeSpan.FromMilliseconds(5), null);
        var ms = 1_000_000L;
        var events = Run(sequencer, [R(0), R(1 * ms), R(3 * ms), R(6 * ms), R(20 * ms)]);
        Assert.Equal([0L, 6 * ms, 20 * ms], events.Select(e => e.TimestampNanoseconds));
        Assert.Equal([1L, 2L, 3L], events.Select(e => e.Sequence));
        Assert.Equal(2, sequencer.EventsDebounced);
        Assert.Equal(5, sequencer.EventsRead);
    }

    [Fact]
    public void A_gap_found_on_a_debounced_event_is_carried_to_the_next_delivered_event()
    {
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Both, TimeSpan.FromMilliseconds(5), initiallyActive: false);
        var ms = 1_000_000L;
        var events = Run(sequencer, [R(0), R(1 * ms), F(10 * ms)]);
        Assert.Equal(2, events.Count);
        Assert.Equal(GpioGap.Certain, events[1].Gap);
    }

    [Fact]
    public void An_event_the_reader_had_no_room_for_marks_the_next_delivered_event_as_a_certain_gap()
    {
        var sequencer = new EdgeEventSequencer(4, GpioEdge.Rising, TimeSpan.Zero, null);
        var delivered = new List<GpioEdgeEvent>();
        var accept = true;
        sequencer.Process([R(10)], 16, e =>
        {
            if (accept)
            {
                delivered.Add(e);
            }

            return accept;
        });
        accept = false;
        sequencer.Process([R(20)], 16, _ => false);
        accept = true;
        sequencer.Process([R(30)], 16, e =>
        {
            delivered.Add(e);
            return true;
        });
        Assert.Equal([1L, 2L], delivered.Select(e => e.Sequence));
        Assert.Equal(GpioGap.Certain, delivered[1].Gap);
    }
}
