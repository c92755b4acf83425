using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class RoundTripTests
{
    [Theory]
    [InlineData(MqttQos.AtMostOnce)]
    [InlineData(MqttQos.AtLeastOnce)]
    [InlineData(MqttQos.ExactlyOnce)]
    public async Task Publish_is_acknowledged_and_delivered_with_topic_payload_and_qos(MqttQos qos)
    {
        var broker = await SharedMosquitto.GetAsync();
        var prefix = TestDirectories.UniqueToken("rt");
        await using var sub = await TestMqtt.ConnectedAsync(broker);
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        Assert.Equal(MqttQos.ExactlyOnce, await sub.SubscribeAsync($"{prefix}/#", MqttQos.ExactlyOnce));

        await pub.PublishAsync($"{prefix}/scale/1", TestMqtt.Utf8("12.345 kg"), qos);

        var m = await sub.ReadOneAsync();
        Assert.Equal($"{prefix}/scale/1", m.Topic);
        Assert.Equal("12.345 kg", m.Text());
        Assert.Equal(qos, m.Qos);
        Assert.False(m.Retain);
    }

    [Fact]
    public async Task Mqtt311_client_round_trips_and_reports_the_protocol_in_use()
    {
        var broker = await SharedMosquitto.GetAsync();
        var prefix = TestDirectories.UniqueToken("v3");
        await using var sub = await TestMqtt.ConnectedAsync(broker, configure: o => o.ProtocolVersion = MqttProtocolVersion.V311);
        await using var pub = await TestMqtt.ConnectedAsync(broker, configure: o => o.ProtocolVersion = MqttProtocolVersion.V311);
        await sub.SubscribeAsync($"{prefix}/x");

        // User properties do not exist in 3.1.1; they are dropped rather than failing the publish.
        await pub.PublishAsync(new MqttMessage($"{prefix}/x", TestMqtt.Utf8("v3"), MqttQos.AtLeastOnce, userProperties: [new("k", "v")]));

        var m = await sub.ReadOneAsync();
        Assert.Equal("v3", m.Text());
        Assert.Empty(m.UserProperties);
    }

    [Fact]
    public async Task Retained_message_reaches_a_later_subscriber_flagged_as_retained()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("ret")}/gateway/7/birth";
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        await pub.PublishAsync(topic, TestMqtt.Utf8("online"), MqttQos.AtLeastOnce, retain: true);

        await using var late = await TestMqtt.ConnectedAsync(broker);
        await late.SubscribeAsync(topic);
        var m = await late.ReadOneAsync();
        Assert.Equal("online", m.Text());
        Assert.True(m.Retain);

        // An empty retained payload clears it: a newer subscriber gets nothing.
        await pub.PublishAsync(topic, ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, retain: true);
        await using var later = await TestMqtt.ConnectedAsync(broker);
        await later.SubscribeAsync(topic);
        await later.AssertNoMessageAsync(TimeSpan.FromMilliseconds(500));
    }

    [Fact]
    public async Task User_properties_survive_the_round_trip_in_order_including_repeated_names()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("up")}/ticket";
        await using var sub = await TestMqtt.ConnectedAsync(broker);
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        await sub.SubscribeAsync(topic);

        MqttUserProperty[] props = [new("ticket", "T-0042"), new("scale", "wb-1"), new("ticket", "T-0043"), new("名", "毛重")];
        await pub.PublishAsync(new MqttMessage(topic, TestMqtt.Utf8("{}"), MqttQos.AtLeastOnce, userProperties: props));

        var m = await sub.ReadOneAsync();
        Assert.Equal(props, m.UserProperties);
        Assert.Equal("T-0042", m.GetUserProperty("ticket"));
    }

    [Fact]
    public async Task Unsubscribe_stops_delivery()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("uns")}/a";
        await using var sub = await TestMqtt.ConnectedAsync(broker);
        await using var pub = await TestMqtt.ConnectedAsync(broker);
        await sub.SubscribeAsync(topic);
        await pub.PublishAsync(topic, TestMqtt.Utf8("1"));
        Assert.Equal("1", (await sub.ReadOneAsync()).Text());

        await sub.UnsubscribeAsync(topic);
        await pub.PublishAsync(topic, TestMqtt.Utf8("2"));
        await sub.AssertNoMessageAsync(TimeSpan.FromMilliseconds(500));
    }
}
