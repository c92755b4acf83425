using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class SharedSubscriptionTests
{
    [Fact]
    public async Task Two_members_of_a_share_group_split_the_stream_without_duplicates_or_loss()
    {
        var broker = await SharedMosquitto.GetAsync();
        var prefix = TestDirectories.UniqueToken("share");
        var filter = MqttTopicFilter.Shared("hub-ingest", $"{prefix}/readings/#");
        await using var worker1 = await TestMqtt.ConnectedAsync(broker, "w1");
        await using var worker2 = await TestMqtt.ConnectedAsync(broker, "w2");
        await worker1.SubscribeAsync(filter);
        await worker2.SubscribeAsync(filter);
        await using var gateway = await TestMqtt.ConnectedAsync(broker);

        const int count = 400;
        for (var i = 0; i < count; i++)
        {
            await gateway.PublishAsync($"{prefix}/readings/line{i % 4}", BitConverter.GetBytes(i), MqttQos.AtLeastOnce);
        }

        var seen1 = new List<int>();
        var seen2 = new List<int>();
        await TestMqtt.EventuallyAsync(
            () =>
            {
                while (worker1.Messages.TryRead(out var m))
                {
                    seen1.Add(BitConverter.ToInt32(m.Payload.Span));
                }

                while (worker2.Messages.TryRead(out var m))
                {
                    seen2.Add(BitConverter.ToInt32(m.Payload.Span));
                }

                return seen1.Count + seen2.Count >= count;
            },
            "all messages delivered to the group");
        await Task.Delay(300);
        Assert.False(worker1.Messages.TryRead(out _) || worker2.Messages.TryRead(out _), "a message was delivered twice");

        Assert.NotEmpty(seen1);
        Assert.NotEmpty(seen2);
        Assert.Empty(seen1.Intersect(seen2));
        Assert.Equal(Enumerable.Range(0, count), seen1.Concat(seen2).Order());
    }
}
