using System.Diagnostics;
using Edge.Mqtt.Tests.Support;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests;

/// <summary>Counts process-wide resources, so it runs alone (after the parallel tests).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeResourceCollection
{
    public const string Name = "native-resources";
}

[Collection(NativeResourceCollection.Name)]
[Trait(Traits.Category, Traits.Integration)]
public sealed class NativeResourceTests
{
    private static int OpenDescriptors() => Directory.GetFileSystemEntries("/proc/self/fd").Length;

    private static void SettleFinalizers()
    {
        for (var i = 0; i < 2; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }
    }

    [Fact]
    public async Task Disposed_clients_leave_no_live_native_handles()
    {
        var broker = await SharedMosquitto.GetAsync();
        SettleFinalizers();
        var before = MqttNativeDiagnostics.LiveHandles;
        var topic = $"{TestDirectories.UniqueToken("h")}/x";

        var clients = new List<MqttClient>();
        for (var i = 0; i < 3; i++)
        {
            clients.Add(await TestMqtt.ConnectedAsync(broker, configure: o =>
            {
                o.Will = new MqttWillOptions { Topic = topic + "/will", Payload = TestMqtt.Utf8("gone") };
                o.Will.UserProperties.Add(new("k", "v"));
            }));
        }

        Assert.Equal(before + 3, MqttNativeDiagnostics.LiveHandles);
        await clients[0].SubscribeAsync(topic);
        await clients[1].PublishAsync(new MqttMessage(topic, TestMqtt.Utf8("p"), MqttQos.AtLeastOnce, userProperties: [new("a", "b")]));
        await clients[0].ReadOneAsync();
        foreach (var c in clients)
        {
            await c.DisposeAsync();
        }

        Assert.Equal(before, MqttNativeDiagnostics.LiveHandles);
        Assert.Equal(0, MqttNativeDiagnostics.LivePropertyLists);
    }

    [Fact]
    public void Abandoned_client_is_released_by_its_finalizer()
    {
        SettleFinalizers();
        var before = MqttNativeDiagnostics.LiveClients;
        Abandon();
        SettleFinalizers();
        Assert.Equal(before, MqttNativeDiagnostics.LiveClients);

        static void Abandon() => _ = new MqttClient(new MqttClientOptions { ClientId = "abandoned" });
    }

    [Fact]
    public async Task Ten_thousand_create_dispose_cycles_do_not_grow_handles_or_descriptors()
    {
        var broker = await SharedMosquitto.GetAsync();
        Components.RequireLibrary("libmosquitto.so.1", "libmosquitto1");

        // Warm up lazily created runtime resources (thread pool, epoll, timers) before the baseline.
        for (var i = 0; i < 3; i++)
        {
            await using var warm = await TestMqtt.ConnectedAsync(broker);
        }

        SettleFinalizers();
        var handles = MqttNativeDiagnostics.LiveHandles;
        var fds = OpenDescriptors();
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < 10_000; i++)
        {
            if (i % 100 == 0)
            {
                // Every 100th client really connects, subscribes and publishes.
                await using var c = await TestMqtt.ConnectedAsync(broker);
                await c.PublishAsync($"cycle/{i}", TestMqtt.Utf8("x"));
                await c.DisconnectAsync();
            }
            else
            {
                await using var c = new MqttClient(new MqttClientOptions { Host = broker.Host, Port = broker.Port, ClientId = "cycle" });
            }
        }

        SettleFinalizers();
        Assert.Equal(handles, MqttNativeDiagnostics.LiveHandles);
        Assert.InRange(OpenDescriptors(), 0, fds + 8);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(120), $"10,000 cycles took {sw.Elapsed}");
    }

    [Fact]
    public async Task Hundred_thousand_qos1_messages_arrive_without_loss_or_leaks()
    {
        // A private broker with room to queue the whole run, so a momentarily slower subscriber loses nothing.
        await using var broker = await MosquittoBroker.StartAsync("max_inflight_messages 100\n", maxQueuedMessages: 200_000);
        SettleFinalizers();
        var handles = MqttNativeDiagnostics.LiveHandles;
        var fds = OpenDescriptors();
        const int count = 100_000;
        var topic = "plant/line/1/counter";

        var (sub, subEvents) = await TestMqtt.ConnectedWithEventsAsync(broker, "sub", o => o.Messages.Capacity = 8192);
        var (pub, pubEvents) = await TestMqtt.ConnectedWithEventsAsync(broker, "pub", o => o.MaxInflightMessages = 100);
        await using (sub)
        await using (pub)
        {
            await sub.SubscribeAsync(topic);
            var seen = new bool[count];
            var distinct = 0;
            var duplicates = 0;
            var receiving = Task.Run(async () =>
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(90));
                try
                {
                    await foreach (var m in sub.Messages.ReadAllAsync(cts.Token))
                    {
                        var i = BitConverter.ToInt32(m.Payload.Span);
                        if (seen[i])
                        {
                            duplicates++;
                        }
                        else
                        {
                            seen[i] = true;
                            if (++distinct == count)
                            {
                                return;
                            }
                        }
                    }
                }
                catch (OperationCanceledException)
                {
                    var missing = Enumerable.Range(0, count).Where(i => !seen[i]).ToList();
                    Assert.Fail(
                        $"After 90 s the subscriber had {distinct} of {count} ({duplicates} duplicates); first missing {string.Join(",", missing.Take(10))}, last missing {missing[^1]}; " +
                        $"buffered {sub.Messages.Count}, dropped {sub.DroppedMessages}, state {sub.State}; subscriber: {subEvents.Describe()}; publisher: {pubEvents.Describe()}");
                }
            });

            // A window of 1000 unacknowledged publishes, as the gateway's outbox would send.
            var window = new Queue<Task>();
            // One scratch buffer for every publish: PublishAsync owns a copy once it returns, even when it must wait.
            var payload = new byte[64];
            for (var i = 0; i < count; i++)
            {
                BitConverter.TryWriteBytes(payload, i);
                window.Enqueue(pub.PublishAsync(topic, payload, MqttQos.AtLeastOnce));
                if (window.Count >= 1000)
                {
                    await window.Dequeue();
                }
            }

            await Task.WhenAll(window);
            await receiving;
            Assert.Equal(count, distinct);
            Assert.Equal(0, sub.DroppedMessages);
        }

        SettleFinalizers();
        Assert.Equal(handles, MqttNativeDiagnostics.LiveHandles);
        Assert.InRange(OpenDescriptors(), 0, fds + 8);
    }
}
