using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class ConcurrencyTests
{
    [Fact]
    public async Task Publishes_from_many_threads_are_each_acknowledged_and_delivered_once()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("mt")}/x";
        await using var sub = await TestMqtt.ConnectedAsync(broker, configure: o => o.Messages.Capacity = 10_000);
        await using var pub = await TestMqtt.ConnectedAsync(broker, configure: o => o.MaxPendingPublishes = 50);
        await sub.SubscribeAsync(topic);

        const int threads = 8, each = 100;
        await Task.WhenAll(Enumerable.Range(0, threads).Select(t => Task.Run(async () =>
        {
            for (var i = 0; i < each; i++)
            {
                var qos = i % 3 == 0 ? MqttQos.AtMostOnce : MqttQos.AtLeastOnce;
                await pub.PublishAsync(topic, BitConverter.GetBytes((t * each) + i), qos);
            }
        })));

        var got = (await sub.ReadManyAsync(threads * each)).Select(m => BitConverter.ToInt32(m.Payload.Span)).ToList();
        Assert.Equal(Enumerable.Range(0, threads * each), got.Order());
    }

    [Fact]
    public async Task A_publish_waiting_for_a_slot_sends_the_payload_as_it_was_when_published()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var topic = $"{TestDirectories.UniqueToken("slot")}/x";
        await using var sub = await TestMqtt.ConnectedAsync(broker);
        await using var pub = await TestMqtt.ConnectedAsync(broker, configure: o => o.MaxPendingPublishes = 1);
        await sub.SubscribeAsync(topic);

        // With the broker stopped, the first publish holds the only slot (no PUBACK) and the second must wait for it;
        // its caller reuses the buffer and the property list at once, as a publisher with one scratch array does.
        Task first, second;
        var buffer = TestMqtt.Utf8("second-v1");
        var properties = new List<MqttUserProperty> { new("v", "1") };
        Signal(broker.ProcessId, "STOP");
        try
        {
            first = pub.PublishAsync(topic, TestMqtt.Utf8("first"));
            second = pub.PublishAsync(new MqttMessage(topic, buffer, userProperties: properties));
            TestMqtt.Utf8("second-v2").CopyTo(buffer, 0);
            properties[0] = new("v", "2");
            await Task.Delay(100);
            Assert.False(second.IsCompleted);
        }
        finally
        {
            Signal(broker.ProcessId, "CONT");
        }

        await Task.WhenAll(first, second);
        var got = await sub.ReadManyAsync(2);
        Assert.Equal(["first", "second-v1"], got.Select(m => m.Text()));
        Assert.Equal("1", got[1].GetUserProperty("v"));
    }

    private static void Signal(int pid, string signal)
    {
        using var kill = System.Diagnostics.Process.Start("kill", [$"-{signal}", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    [Fact]
    public async Task Subscribe_and_unsubscribe_race_with_publishing_without_deadlock()
    {
        var broker = await SharedMosquitto.GetAsync();
        var prefix = TestDirectories.UniqueToken("race");
        await using var c = await TestMqtt.ConnectedAsync(broker, configure: o => o.Messages.OverflowPolicy = MqttOverflowPolicy.DropOldest);
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(2));
        var publisher = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await c.PublishAsync($"{prefix}/t{n++ % 5}", TestMqtt.Utf8("x"));
            }

            return n;
        });
        var subscriber = Task.Run(async () =>
        {
            var n = 0;
            while (!stop.IsCancellationRequested)
            {
                await c.SubscribeAsync($"{prefix}/t{n % 5}");
                await c.UnsubscribeAsync($"{prefix}/t{n++ % 5}");
            }

            return n;
        });
        Assert.True(await publisher > 0);
        Assert.True(await subscriber > 0);
        Assert.True(c.IsConnected);
    }
}
