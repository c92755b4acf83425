using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

/// <summary>The bounded receive buffer under a slow consumer, for each overflow policy.</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class OverflowTests
{
    private static int Seq(MqttMessage m) => BitConverter.ToInt32(m.Payload.Span);

    private static async Task PublishSequenceAsync(MqttClient pub, string topic, int count)
    {
        var pending = new List<Task>(count);
        for (var i = 0; i < count; i++)
        {
            pending.Add(pub.PublishAsync(topic, BitConverter.GetBytes(i), MqttQos.AtLeastOnce));
        }

        await Task.WhenAll(pending);
    }

    [Theory]
    [InlineData(MqttOverflowPolicy.DropNewest, 0)]
    [InlineData(MqttOverflowPolicy.DropOldest, 190)]
    public async Task Drop_policies_keep_ten_count_the_rest_and_the_loop_keeps_serving_the_connection(MqttOverflowPolicy policy, int firstKept)
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("ovf")}/gauge";
        await using var slow = await TestMqtt.ConnectedAsync(broker, configure: o =>
        {
            o.Messages.Capacity = 10;
            o.Messages.OverflowPolicy = policy;
        });
        await slow.SubscribeAsync(topic);
        await using var pub = await TestMqtt.ConnectedAsync(broker);

        await PublishSequenceAsync(pub, topic, 200);
        await TestMqtt.EventuallyAsync(() => slow.DroppedMessages == 190, "190 messages dropped", context: () => $"dropped {slow.DroppedMessages}");

        // Nobody has read a message, yet the slow client's loop still reads PUBACKs for its own publishes.
        for (var i = 0; i < 20; i++)
        {
            await slow.PublishAsync($"{topic}-own", TestMqtt.Utf8("still alive"), MqttQos.AtLeastOnce);
        }

        var kept = (await slow.ReadManyAsync(10)).Select(Seq).ToList();
        Assert.Equal(Enumerable.Range(firstKept, 10), kept);
        Assert.Equal(190, slow.DroppedMessages);
        Assert.True(slow.IsConnected);
    }

    [Fact]
    public async Task Wait_policy_delivers_everything_in_order_to_a_slow_consumer_without_affecting_other_clients()
    {
        var broker = await SharedMosquitto.GetAsync();
        var prefix = TestDirectories.UniqueToken("wait");
        var (slow, events) = await TestMqtt.ConnectedWithEventsAsync(broker, configure: o => o.Messages.Capacity = 10);
        await using var slowScope = slow;
        await slow.SubscribeAsync($"{prefix}/stream");
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        await using var otherSub = await TestMqtt.ConnectedAsync(broker);
        await using var otherPub = await TestMqtt.ConnectedAsync(broker);
        await otherSub.SubscribeAsync($"{prefix}/other");

        const int count = 500;
        var publishing = PublishSequenceAsync(pub, $"{prefix}/stream", count);
        var received = new List<int>(count);
        await foreach (var m in slow.Messages.ReadAllAsync())
        {
            received.Add(Seq(m));
            if (received.Count == 50)
            {
                // While the slow client is paused, an unrelated pair keeps round-tripping at full speed.
                var sw = System.Diagnostics.Stopwatch.StartNew();
                for (var i = 0; i < 20; i++)
                {
                    await otherPub.PublishAsync($"{prefix}/other", TestMqtt.Utf8("x"));
                    await otherSub.ReadOneAsync(TimeSpan.FromSeconds(2));
                }

                Assert.True(sw.Elapsed < TimeSpan.FromSeconds(5), $"other clients slowed down: {sw.Elapsed}");
            }

            if (received.Count % 10 == 0)
            {
                await Task.Delay(5);
            }

            if (received.Count == count)
            {
                break;
            }
        }

        await publishing;
        Assert.Equal(Enumerable.Range(0, count), received);
        Assert.Equal(0, slow.DroppedMessages);
        Assert.DoesNotContain(events.Snapshot(), e => e.Kind == MqttConnectionEventKind.Disconnected);
    }

    [Fact]
    public async Task Wait_policy_pause_keeps_the_connection_alive_with_pings_past_one_and_a_half_keepalives()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var topic = $"{TestDirectories.UniqueToken("ping")}/s";
        var (slow, events) = await TestMqtt.ConnectedWithEventsAsync(broker, configure: o =>
        {
            o.KeepAlive = TimeSpan.FromSeconds(5);
            o.Messages.Capacity = 5;
        });
        await using var slowScope = slow;
        await slow.SubscribeAsync(topic);
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        await PublishSequenceAsync(pub, topic, 50);

        // Nothing is read for 8.5 s: a client whose loop was blocked would send nothing, and the broker would drop
        // it after 1.5 × 5 s. The paused loop still sends PINGREQ.
        await Task.Delay(TimeSpan.FromSeconds(8.5));
        Assert.True(slow.IsConnected, events.Describe());

        var all = (await slow.ReadManyAsync(50)).Select(Seq).ToList();
        Assert.Equal(Enumerable.Range(0, 50), all);
        Assert.DoesNotContain(events.Snapshot(), e => e.Kind == MqttConnectionEventKind.Disconnected);
        Assert.DoesNotContain("exceeded timeout", broker.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Wait_policy_stall_beyond_the_keepalive_reconnects_and_loses_nothing_with_a_persistent_session()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var topic = $"{TestDirectories.UniqueToken("stall")}/s";
        var (slow, events) = await TestMqtt.ConnectedWithEventsAsync(broker, "hub", o =>
        {
            o.KeepAlive = TimeSpan.FromSeconds(5);
            o.Messages.Capacity = 5;
            o.CleanStart = false;
            o.SessionExpiryInterval = TimeSpan.FromMinutes(10);
        });
        await using var slowScope = slow;
        await slow.SubscribeAsync(topic);
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        await PublishSequenceAsync(pub, topic, 60);

        await TestMqtt.EventuallyAsync(() => events.Snapshot().Any(e => e.Kind == MqttConnectionEventKind.Disconnected), "the paused client gives up on its PINGRESP", TimeSpan.FromSeconds(20), events.Describe);

        var seen = new HashSet<int>();
        while (seen.Count < 60)
        {
            seen.Add(Seq(await slow.ReadOneAsync()));
        }

        Assert.Equal(Enumerable.Range(0, 60), seen.Order());
        await TestMqtt.EventuallyAsync(() => slow.IsConnected, "reconnected after the consumer caught up");
        Assert.True(events.Snapshot().Last(e => e.Kind == MqttConnectionEventKind.Connected).SessionPresent, events.Describe());
        Assert.Equal(0, slow.DroppedMessages);
    }
}
