using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

[Trait(Traits.Category, Traits.Integration)]
public sealed class ReconnectTests
{
    [Fact]
    public async Task Client_reconnects_after_a_broker_restart_resubscribes_and_publishing_resumes()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var topic = $"{TestDirectories.UniqueToken("rc")}/line/1/count";
        var (sub, subEvents) = await TestMqtt.ConnectedWithEventsAsync(broker);
        await using var subScope = sub;
        var (pub, pubEvents) = await TestMqtt.ConnectedWithEventsAsync(broker);
        await using var pubScope = pub;
        await sub.SubscribeAsync(topic);

        broker.Stop(hard: true);
        await TestMqtt.EventuallyAsync(() => pub.State == MqttConnectionState.Connecting, "publisher notices the broker is gone");
        var offline = await Assert.ThrowsAsync<MqttException>(() => pub.PublishAsync(topic, TestMqtt.Utf8("lost")));
        Assert.Equal(MqttNativeError.NoConnection, offline.NativeError);
        await TestMqtt.EventuallyAsync(() => pubEvents.Snapshot().Any(e => e.Kind == MqttConnectionEventKind.Reconnecting && e.Attempt >= 2), "at least two reconnect attempts", context: () => $"{pub.State}: {pubEvents.Describe()}");

        await broker.StartAgainAsync();
        await TestMqtt.EventuallyAsync(() => pub.IsConnected && sub.IsConnected, "both clients reconnected", context: () => $"pub {pub.State}: {pubEvents.Describe()}\nsub {sub.State}: {subEvents.Describe()}");

        // The broker lost the clean session's subscription with its restart; the client made it again.
        await TestMqtt.EventuallyAsync(() => subEvents.Snapshot().Count(e => e.Kind == MqttConnectionEventKind.Connected) == 2, "the subscriber's reconnect event", TimeSpan.FromSeconds(5));
        var delivered = false;
        for (var i = 0; i < 50 && !delivered; i++)
        {
            await pub.PublishAsync(topic, TestMqtt.Utf8("after restart"));
            delivered = sub.Messages.TryRead(out var m) || await WaitAsync(sub);
        }

        Assert.True(delivered, "no message arrived after the restart");
        var kinds = pubEvents.Snapshot().Select(e => e.Kind).ToList();
        Assert.Equal(MqttConnectionEventKind.Connected, kinds[0]);
        Assert.Equal(MqttConnectionEventKind.Disconnected, kinds[1]);
        Assert.Equal(MqttConnectionEventKind.Reconnecting, kinds[2]);
        Assert.Equal(MqttConnectionEventKind.Connected, kinds[^1]);
        Assert.NotNull(pubEvents.Snapshot()[1].Error);
        Assert.True(pubEvents.Snapshot().Where(e => e.Kind == MqttConnectionEventKind.Reconnecting).All(e => e.Delay <= TimeSpan.FromSeconds(1)), pubEvents.Describe());

        static async Task<bool> WaitAsync(MqttClient c)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));
            try
            {
                await c.Messages.ReadAsync(cts.Token);
                return true;
            }
            catch (OperationCanceledException)
            {
                return false;
            }
        }
    }

    [Fact]
    public async Task Persistent_session_resumes_after_a_broker_restart_with_queued_messages()
    {
        await using var broker = await MosquittoBroker.StartAsync();
        var topic = $"{TestDirectories.UniqueToken("rc")}/tickets";
        var (hub, events) = await TestMqtt.ConnectedWithEventsAsync(broker, "hub", o =>
        {
            o.CleanStart = false;
            o.SessionExpiryInterval = TimeSpan.FromHours(1);
        });
        await using var hubScope = hub;
        await hub.SubscribeAsync(topic);

        // A graceful stop saves the session to the persistence file.
        broker.Stop();
        await broker.StartAgainAsync();
        await TestMqtt.EventuallyAsync(() => events.Snapshot().Count(e => e.Kind == MqttConnectionEventKind.Connected) == 2, "hub reconnected", context: events.Describe);
        Assert.True(events.Snapshot().Last(e => e.Kind == MqttConnectionEventKind.Connected).SessionPresent, events.Describe());

        await using var gw = await TestMqtt.ConnectedAsync(broker);
        await gw.PublishAsync(topic, TestMqtt.Utf8("T-1"));
        Assert.Equal("T-1", (await hub.ReadOneAsync()).Text());
    }

    [Fact]
    public async Task ConnectAsync_keeps_trying_until_the_broker_comes_up()
    {
        var port = Ports.GetFreeTcpPort();
        var options = new MqttClientOptions
        {
            Host = "127.0.0.1",
            Port = port,
            ClientId = TestDirectories.UniqueToken("boot"),
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(50), MaxDelay = TimeSpan.FromMilliseconds(300) },
        };
        Components.RequireLibrary("libmosquitto.so.1", "libmosquitto1");
        await using var client = new MqttClient(options);
        var events = new TestMqtt.EventLog(client);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var connecting = client.ConnectAsync(cts.Token);

        await TestMqtt.EventuallyAsync(() => events.Snapshot().Count(e => e.Kind == MqttConnectionEventKind.Reconnecting) >= 3, "three retries against a closed port", context: () => $"{client.State}: {events.Describe()}");
        var refused = events.Snapshot().First(e => e.Kind == MqttConnectionEventKind.Disconnected).Error!;
        Assert.Equal(MqttNativeError.Errno, refused.NativeError);
        Assert.Contains("Connection refused", refused.Message, StringComparison.Ordinal);
        Assert.False(connecting.IsCompleted);

        await using var broker = await MosquittoBroker.StartAsync(port: port);
        try
        {
            await connecting;
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{client.State}: {events.Describe()}\nbroker log:\n{broker.Log}");
        }

        Assert.True(client.IsConnected);
    }

    [Fact]
    public async Task Cancelling_ConnectAsync_stops_the_attempts()
    {
        Components.RequireLibrary("libmosquitto.so.1", "libmosquitto1");
        await using var client = new MqttClient(new MqttClientOptions { Host = "127.0.0.1", Port = Ports.GetFreeTcpPort(), ClientId = TestDirectories.UniqueToken("c") });
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => client.ConnectAsync(cts.Token));
        await TestMqtt.EventuallyAsync(() => client.State == MqttConnectionState.Disconnected, "client gives up");
    }
}
