using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class SessionTests
{
    [Fact]
    public async Task Persistent_session_receives_what_was_published_while_it_was_offline()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("ses")}/hub/ingest";
        var options = TestMqtt.Options(broker, "hub", o =>
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = TimeSpan.FromMinutes(5);
        });

        await using (var hub = new MqttClient(options))
        {
            Assert.False((await hub.ConnectAsync()).SessionPresent);
            await hub.SubscribeAsync(topic, MqttQos.AtLeastOnce);
            await hub.DisconnectAsync();
        }

        await using (var gateway = await TestMqtt.ConnectedAsync(broker))
        {
            for (var i = 0; i < 20; i++)
            {
                await gateway.PublishAsync(topic, TestMqtt.Utf8($"ticket-{i}"), MqttQos.AtLeastOnce);
            }
        }

        await using var again = new MqttClient(options);
        Assert.True((await again.ConnectAsync()).SessionPresent);
        var got = await again.ReadManyAsync(20);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => $"ticket-{i}"), got.Select(m => m.Text()));
    }

    [Fact]
    public async Task Clean_start_discards_the_previous_session()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("ses")}/x";
        var id = TestDirectories.UniqueToken("cs");
        await using (var first = await TestMqtt.ConnectedAsync(broker, configure: o =>
        {
            o.ClientId = id;
            o.CleanStart = false;
            o.SessionExpiryInterval = TimeSpan.FromMinutes(5);
        }))
        {
            await first.SubscribeAsync(topic);
        }

        await using (var pub = await TestMqtt.ConnectedAsync(broker))
        {
            await pub.PublishAsync(topic, TestMqtt.Utf8("queued"));
        }

        await using var fresh = new MqttClient(TestMqtt.Options(broker, configure: o => o.ClientId = id));
        Assert.False((await fresh.ConnectAsync()).SessionPresent);
        await fresh.AssertNoMessageAsync(TimeSpan.FromMilliseconds(500));
    }
}
