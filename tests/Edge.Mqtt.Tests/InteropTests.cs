using System.Globalization;
using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

/// <summary>Our client against the reference tools: mosquitto_pub/mosquitto_sub and paho-mqtt (Debian's python3).</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class InteropTests
{
    private static string P(MosquittoBroker b) => b.Port.ToString(CultureInfo.InvariantCulture);

    [Fact]
    public async Task Message_from_mosquitto_pub_arrives_with_its_user_properties()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("io")}/from-pub";
        await using var sub = await TestMqtt.ConnectedAsync(broker);
        await sub.SubscribeAsync(topic);

        using var pub = ChildProcess.Start(
            Components.MosquittoPub,
            ["-h", broker.Host, "-p", P(broker), "-V", "5", "-q", "1", "-t", topic, "-m", "gross=18420kg",
             "-D", "publish", "user-property", "ticket", "T-77", "-D", "publish", "user-property", "scale", "wb-2"]);
        Assert.True(await pub.WaitForExitAsync(TimeSpan.FromSeconds(15)) && pub.ExitCode == 0, pub.Output);

        var m = await sub.ReadOneAsync();
        Assert.Equal("gross=18420kg", m.Text());
        Assert.Equal(MqttQos.AtLeastOnce, m.Qos);
        Assert.Equal([new MqttUserProperty("ticket", "T-77"), new MqttUserProperty("scale", "wb-2")], m.UserProperties);
    }

    [Fact]
    public async Task Our_publish_is_printed_by_mosquitto_sub_with_topic_payload_and_user_properties()
    {
        var broker = await SharedMosquitto.GetAsync();
        var topic = $"{TestDirectories.UniqueToken("io")}/to-sub";
        await using var pub = await TestMqtt.ConnectedAsync(broker);

        // Retained, so mosquitto_sub gets it whenever its subscription lands (its stdout is block-buffered in a pipe,
        // so we cannot watch it for SUBACK). Mosquitto keeps the properties with the retained message.
        await pub.PublishAsync(new MqttMessage(topic, TestMqtt.Utf8("net=9310kg"), MqttQos.AtLeastOnce, retain: true, userProperties: [new("ticket", "T-78"), new("operator", "li")]));
        using var sub = ChildProcess.Start(
            Components.MosquittoSub,
            ["-h", broker.Host, "-p", P(broker), "-V", "5", "-q", "1", "-t", topic, "-C", "1", "-W", "20", "-F", "OUT %t|%p|%q|%P"]);
        Assert.True(await sub.WaitForExitAsync(TimeSpan.FromSeconds(20)), sub.Output);
        Assert.Equal(0, sub.ExitCode);
        Assert.Contains($"OUT {topic}|net=9310kg|1|ticket:T-78 operator:li", sub.Output, StringComparison.Ordinal);
        await pub.PublishAsync(topic, ReadOnlyMemory<byte>.Empty, MqttQos.AtLeastOnce, retain: true);
    }

    [Fact]
    public async Task Paho_mqtt_v5_client_and_ours_exchange_messages_with_user_properties()
    {
        Components.RequirePythonModule("paho.mqtt.client", "python3-paho-mqtt");
        var broker = await SharedMosquitto.GetAsync();
        var prefix = TestDirectories.UniqueToken("paho");
        await using var ours = await TestMqtt.ConnectedAsync(broker);
        await ours.SubscribeAsync($"{prefix}/from-paho");

        // paho subscribes to our topic, then publishes one message and prints the one it receives from us.
        var script = $$"""
            import sys, time
            import paho.mqtt.client as mqtt
            from paho.mqtt.properties import Properties
            from paho.mqtt.packettypes import PacketTypes
            got = []
            def on_message(c, u, m):
                props = getattr(m.properties, "UserProperty", [])
                print("GOT", m.topic, m.payload.decode(), m.qos, ";".join(k + "=" + v for k, v in props), flush=True)
                got.append(m)
            c = mqtt.Client(client_id="{{prefix}}-paho", protocol=mqtt.MQTTv5)
            c.on_message = on_message
            c.connect("{{broker.Host}}", {{broker.Port}})
            c.subscribe("{{prefix}}/from-ours", qos=1)
            c.loop_start()
            time.sleep(0.5)
            p = Properties(PacketTypes.PUBLISH)
            p.UserProperty = [("source", "paho"), ("seq", "1")]
            c.publish("{{prefix}}/from-paho", b"hello from paho", qos=1, properties=p).wait_for_publish()
            print("PUBLISHED", flush=True)
            deadline = time.time() + 15
            while not got and time.time() < deadline:
                time.sleep(0.05)
            c.disconnect()
            c.loop_stop()
            sys.exit(0 if got else 3)
            """;
        var file = Path.Combine(TestDirectories.Create("paho"), "peer.py");
        await File.WriteAllTextAsync(file, script);
        using var paho = ChildProcess.Start(Components.SystemPython, [file], name: "paho");

        var fromPaho = await ours.ReadOneAsync();
        Assert.Equal("hello from paho", fromPaho.Text());
        Assert.Equal([new MqttUserProperty("source", "paho"), new MqttUserProperty("seq", "1")], fromPaho.UserProperties);

        await ours.PublishAsync(new MqttMessage($"{prefix}/from-ours", TestMqtt.Utf8("hello from edge"), MqttQos.AtLeastOnce, userProperties: [new("source", "edge")]));
        await paho.WaitForOutputAsync($"GOT {prefix}/from-ours hello from edge 1 source=edge", TimeSpan.FromSeconds(15));
        Assert.True(await paho.WaitForExitAsync(TimeSpan.FromSeconds(15)), paho.Output);
        Assert.Equal(0, paho.ExitCode);
    }
}
