using System.Collections.Concurrent;
using System.Text;
using Edge.Contracts;
using Edge.Mqtt;
using Edge.TestSupport;

namespace Edge.Gateway.Tests.Support;

/// <summary>
/// What the hub does, reduced to the protocol: subscribes to a gateway's readings and scans, "stores" every seq in a
/// set (keeping the first content seen for it), settles the seqs a birth declares abandoned (and the declaration's
/// own seq), and acknowledges by the contract with <c>storedThrough</c> and <c>ranges</c>. Counts deliveries so tests can tell replays from stored items and detect a seq that came back
/// with different content (a reused seq: the real failure).
/// </summary>
internal sealed class HubStandIn : IAsyncDisposable
{
    private readonly MqttClient _client;
    private readonly string _gatewayId;
    private readonly string _ackTopic;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Lock _lock = new();
    private readonly SortedSet<long> _above = [];
    private long _watermark;

    private HubStandIn(MqttClient client, string gatewayId, string site, string area, bool acknowledge)
    {
        _client = client;
        _gatewayId = gatewayId;
        _ackTopic = TopicTemplate.ForGateway(MessageKind.Ack, site, area, gatewayId).ToTopic();
        Acknowledging = acknowledge;
        _loop = Task.Run(RunAsync);
    }

    /// <summary>seq → the stored reading or scan (its JSON, seq excluded from nothing: the seq is part of it).</summary>
    public ConcurrentDictionary<long, string> Stored { get; } = new();

    /// <summary>Every reading as stored (first delivery of each seq).</summary>
    public ConcurrentDictionary<long, Reading> Readings { get; } = new();

    /// <summary>Every scan as stored.</summary>
    public ConcurrentDictionary<long, ScanEvent> Scans { get; } = new();

    public ConcurrentQueue<DeviceHealth> Health { get; } = new();

    public ConcurrentQueue<GatewayBirth> Births { get; } = new();

    public ConcurrentQueue<GatewayDeath> Deaths { get; } = new();

    /// <summary>Every abandonment declaration received, by its own seq (first delivery).</summary>
    public ConcurrentDictionary<long, SeqAbandonment> Declarations { get; } = new();

    /// <summary>Seqs settled by a declaration without having been stored (the hub's "abandoned" set), with the reason.</summary>
    public ConcurrentDictionary<long, string> Abandoned { get; } = new();

    public long Deliveries;

    public long ReplayedDeliveries;

    /// <summary>A seq delivered again with content different from what was stored first.</summary>
    public ConcurrentQueue<string> Conflicts { get; } = new();

    public bool Acknowledging { get; set; }

    public long Watermark
    {
        get
        {
            lock (_lock)
            {
                return _watermark;
            }
        }
    }

    public static async Task<HubStandIn> StartAsync(MosquittoBroker broker, string gatewayId, string site = "test-site", string area = "test-area", bool acknowledge = true)
    {
        var client = new MqttClient(new MqttClientOptions
        {
            Host = broker.Host,
            Port = broker.Port,
            ClientId = TestDirectories.UniqueToken("hub"),
            KeepAlive = TimeSpan.FromSeconds(10),
            OperationTimeout = TimeSpan.FromSeconds(15),
            MaxPendingPublishes = 10_000,
            Messages = new MqttMessageBufferOptions { Capacity = 100_000 },
            Reconnect = new MqttReconnectOptions { InitialDelay = TimeSpan.FromMilliseconds(100), MaxDelay = TimeSpan.FromSeconds(1), ResetAfter = TimeSpan.FromSeconds(1) },
        });
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await client.ConnectAsync(cts.Token);
        await client.SubscribeAsync(TopicTemplate.GatewayFilter(site, area, gatewayId), MqttQos.AtLeastOnce, cts.Token);
        return new HubStandIn(client, gatewayId, site, area, acknowledge);
    }

    /// <summary>Seqs 1..N all stored.</summary>
    public bool HasAllThrough(long n)
    {
        for (long s = 1; s <= n; s++)
        {
            if (!Stored.ContainsKey(s))
            {
                return false;
            }
        }

        return true;
    }

    public IReadOnlyList<long> MissingThrough(long n) => [.. Enumerable.Range(1, (int)n).Select(i => (long)i).Where(s => !Stored.ContainsKey(s))];

    public async Task AcknowledgeNowAsync()
    {
        Acknowledgement ack;
        lock (_lock)
        {
            var ranges = new List<SeqRange>();
            long? from = null;
            long to = 0;
            foreach (var s in _above)
            {
                if (from is null)
                {
                    from = s;
                    to = s;
                }
                else if (s == to + 1)
                {
                    to = s;
                }
                else
                {
                    ranges.Add(new SeqRange { From = from.Value, To = to });
                    from = s;
                    to = s;
                }
            }

            if (from is not null)
            {
                ranges.Add(new SeqRange { From = from.Value, To = to });
            }

            ack = new Acknowledgement
            {
                GatewayId = _gatewayId,
                StoredThrough = _watermark,
                Ranges = ranges.Count == 0 ? null : ranges.Take(ContractLimits.MaxAckRanges).ToList(),
                Ts = DateTimeOffset.UtcNow,
            };
        }

        try
        {
            await _client.PublishAsync(_ackTopic, ContractCodec.Encode(ack), MqttQos.AtLeastOnce);
        }
        catch (MqttException)
        {
            // Broker away: the gateway resends and we acknowledge again.
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await _client.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var lastAck = DateTime.UtcNow;
        var dirty = false;
        while (!_stop.IsCancellationRequested)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
            wait.CancelAfter(TimeSpan.FromMilliseconds(50));
            try
            {
                while (_client.Messages.TryRead(out var m) || (await _client.Messages.WaitToReadAsync(wait.Token) && _client.Messages.TryRead(out m)))
                {
                    dirty |= Handle(m);
                    if (DateTime.UtcNow - lastAck > TimeSpan.FromMilliseconds(50))
                    {
                        break;
                    }
                }
            }
            catch (OperationCanceledException) when (!_stop.IsCancellationRequested)
            {
            }
            catch (OperationCanceledException)
            {
                return;
            }

            if (dirty && Acknowledging && DateTime.UtcNow - lastAck > TimeSpan.FromMilliseconds(50))
            {
                dirty = false;
                lastAck = DateTime.UtcNow;
                await AcknowledgeNowAsync();
            }
        }
    }

    private bool Handle(MqttMessage m)
    {
        if (m.Payload.Length == 0)
        {
            return false;
        }

        if (!ContractCodec.TryDecode(m.Topic, m.Payload.Span, DateTimeOffset.UtcNow, out _, out var message, out var error))
        {
            Conflicts.Enqueue($"undecodable on {m.Topic}: {error}");
            return false;
        }

        switch (message)
        {
            case ReadingBatch batch:
                Interlocked.Add(ref Deliveries, batch.Readings.Count);
                if (batch.Replay)
                {
                    Interlocked.Add(ref ReplayedDeliveries, batch.Readings.Count);
                }

                foreach (var r in batch.Readings)
                {
                    StoreOne(r.Seq, Encoding.UTF8.GetString(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(r, (System.Text.Json.Serialization.Metadata.JsonTypeInfo<Reading>)ContractJsonContext.Wire.GetTypeInfo(typeof(Reading))!)));
                    Readings.TryAdd(r.Seq, r);
                }

                return true;
            case ScanEvent scan:
                Interlocked.Increment(ref Deliveries);
                StoreOne(scan.Seq, $"{scan.Device}|{scan.Code}|{scan.Ts:O}");
                Scans.TryAdd(scan.Seq, scan);
                return true;
            case DeviceHealth h:
                Health.Enqueue(h);
                return false;
            case GatewayBirth b:
                Births.Enqueue(b);
                return Declare(b.Abandoned);
            case GatewayDeath d:
                Deaths.Enqueue(d);
                return false;
            default:
                return false;
        }
    }

    private bool Declare(IReadOnlyList<SeqAbandonment>? declarations)
    {
        if (declarations is null or { Count: 0 })
        {
            return false;
        }

        foreach (var d in declarations)
        {
            if (!Declarations.TryAdd(d.Seq, d))
            {
                continue;
            }

            foreach (var r in d.Ranges)
            {
                for (var s = r.From; s <= r.To; s++)
                {
                    if (!Stored.ContainsKey(s) && Abandoned.TryAdd(s, d.Reason))
                    {
                        Settle(s);
                    }
                }
            }

            StoreOne(d.Seq, $"declaration {d.Reason} {string.Join(',', d.Ranges.Select(x => $"{x.From}-{x.To}"))}");
        }

        // Acknowledged again even when nothing was new: the gateway evidently missed the acknowledgement.
        return true;
    }

    private void StoreOne(long seq, string content)
    {
        if (!Stored.TryAdd(seq, content))
        {
            if (Stored[seq] != content)
            {
                Conflicts.Enqueue($"seq {seq}: first {Stored[seq]} then {content}");
            }

            return;
        }

        // A seq settled as abandoned that arrives after all is stored now, and was settled already.
        if (!Abandoned.ContainsKey(seq))
        {
            Settle(seq);
        }
    }

    private void Settle(long seq)
    {
        lock (_lock)
        {
            if (seq == _watermark + 1)
            {
                _watermark = seq;
                while (_above.Remove(_watermark + 1))
                {
                    _watermark++;
                }
            }
            else if (seq > _watermark)
            {
                _above.Add(seq);
            }
        }
    }
}
