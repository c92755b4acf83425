using System.Diagnostics;
using System.Text;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests.Support;

/// <summary>Client options, connected clients and message helpers shared by the integration tests.</summary>
internal static class TestMqtt
{
    internal static readonly TimeSpan Patience = TimeSpan.FromSeconds(20);

    /// <summary>Options for a client of <paramref name="broker"/> with short, test-friendly timeouts and a unique client id.</summary>
    internal static MqttClientOptions Options(MosquittoBroker broker, string prefix = "t", Action<MqttClientOptions>? configure = null)
    {
        Components.RequireLibrary("libmosquitto.so.1", "libmosquitto1");
        var o = new MqttClientOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = TestDirectories.UniqueToken(prefix),
            KeepAlive = TimeSpan.FromSeconds(10),
            OperationTimeout = TimeSpan.FromSeconds(15),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1), ResetAfter = TimeSpan.FromSeconds(1) },
        };
        configure?.Invoke(o);
        return o;
    }

    internal static async Task<MqttClient> ConnectedAsync(MosquittoBroker broker, string prefix = "t", Action<MqttClientOptions>? configure = null)
    {
        var client = new MqttClient(Options(broker, prefix, configure));
        try
        {
            using var cts = new CancellationTokenSource(Patience);
            await client.ConnectAsync(cts.Token);
            return client;
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    /// <summary>A connected client whose event log was attached before connecting, so it starts with the first Connected.</summary>
    internal static async Task<(MqttClient Client, EventLog Events)> ConnectedWithEventsAsync(MosquittoBroker broker, string prefix = "t", Action<MqttClientOptions>? configure = null)
    {
        var client = new MqttClient(Options(broker, prefix, configure));
        var events = new EventLog(client);
        try
        {
            using var cts = new CancellationTokenSource(Patience);
            await client.ConnectAsync(cts.Token);
            await EventuallyAsync(() => events.Snapshot().Count > 0, "the first Connected event");
            return (client, events);
        }
        catch
        {
            await client.DisposeAsync();
            throw;
        }
    }

    internal static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    internal static string Text(this MqttMessage m) => Encoding.UTF8.GetString(m.Payload.Span);

    internal static async Task<MqttMessage> ReadOneAsync(this MqttClient client, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        try
        {
            return await client.Messages.ReadAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"No message arrived within {(timeout ?? Patience).TotalSeconds} s.");
        }
    }

    internal static async Task<List<MqttMessage>> ReadManyAsync(this MqttClient client, int count, TimeSpan? timeout = null)
    {
        var list = new List<MqttMessage>(count);
        using var cts = new CancellationTokenSource(timeout ?? Patience);
        try
        {
            while (list.Count < count)
            {
                list.Add(await client.Messages.ReadAsync(cts.Token));
            }
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"Only {list.Count} of {count} messages arrived within {(timeout ?? Patience).TotalSeconds} s.");
        }

        return list;
    }

    /// <summary>Asserts that nothing arrives within <paramref name="window"/>.</summary>
    internal static async Task AssertNoMessageAsync(this MqttClient client, TimeSpan window)
    {
        using var cts = new CancellationTokenSource(window);
        try
        {
            var m = await client.Messages.ReadAsync(cts.Token);
            Assert.Fail($"Expected no message, got {m} '{m.Text()}'.");
        }
        catch (OperationCanceledException)
        {
        }
    }

    internal static async Task EventuallyAsync(Func<bool> condition, string what, TimeSpan? timeout = null, Func<string>? context = null)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            if (sw.Elapsed > (timeout ?? Patience))
            {
                Assert.Fail($"Timed out after {sw.Elapsed.TotalSeconds:0.0} s waiting for: {what}{(context is null ? string.Empty : "\n" + context())}");
            }

            await Task.Delay(20);
        }
    }

    /// <summary>Records every connection event of a client, in order.</summary>
    internal sealed class EventLog
    {
        private readonly List<MqttConnectionEventArgs> _events = [];

        internal EventLog(MqttClient client) => client.ConnectionStateChanged += (_, e) =>
        {
            lock (_events)
            {
                _events.Add(e);
            }
        };

        internal IReadOnlyList<MqttConnectionEventArgs> Snapshot()
        {
            lock (_events)
            {
                return [.. _events];
            }
        }

        internal string Describe() => string.Join(" → ", Snapshot().Select(e => e.ToString()));
    }
}
