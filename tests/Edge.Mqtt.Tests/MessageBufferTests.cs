using Edge.Mqtt.Internal;

namespace Edge.Mqtt.Tests;

public sealed class MessageBufferTests
{
    private static MqttMessage M(int i) => new($"t/{i}", BitConverter.GetBytes(i), MqttQos.AtLeastOnce);

    private static List<int> Drain(MessageBuffer b)
    {
        var list = new List<int>();
        while (b.Reader.TryRead(out var m))
        {
            list.Add(BitConverter.ToInt32(m.Payload.Span));
        }

        return list;
    }

    [Fact]
    public void DropNewest_keeps_the_oldest_and_counts_the_rest()
    {
        var b = new MessageBuffer(3, MqttOverflowPolicy.DropNewest, () => { });
        var overflowStarts = Enumerable.Range(1, 10).Count(i => b.Deliver(M(i)));
        Assert.Equal([1, 2, 3], Drain(b));
        Assert.Equal(7, b.Dropped);
        Assert.Equal(1, overflowStarts);
        Assert.False(b.IsPaused);
    }

    [Fact]
    public void DropOldest_keeps_the_newest_and_counts_the_rest()
    {
        var b = new MessageBuffer(3, MqttOverflowPolicy.DropOldest, () => { });
        foreach (var i in Enumerable.Range(1, 10))
        {
            b.Deliver(M(i));
        }

        Assert.Equal([8, 9, 10], Drain(b));
        Assert.Equal(7, b.Dropped);
    }

    [Fact]
    public void Wait_sets_overflow_aside_pauses_and_resumes_in_order_without_loss()
    {
        var wakes = 0;
        var b = new MessageBuffer(3, MqttOverflowPolicy.Wait, () => Interlocked.Increment(ref wakes));
        foreach (var i in Enumerable.Range(1, 5))
        {
            b.Deliver(M(i));
        }

        Assert.True(b.IsPaused);
        Assert.False(b.TryDrainSpill());
        Assert.True(b.Reader.TryRead(out _));
        Assert.True(wakes > 0);

        var got = new List<int> { 1 };
        while (b.IsPaused)
        {
            b.TryDrainSpill();
            got.AddRange(Drain(b));
        }

        got.AddRange(Drain(b));
        Assert.Equal([1, 2, 3, 4, 5], got);
        Assert.Equal(0, b.Dropped);
    }
}
