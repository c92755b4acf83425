using Edge.Contracts;
using Edge.Mqtt;
using Edge.TestSupport;

namespace Edge.Hub.Tests.Support;

/// <summary>
/// A stand-in for the real gateway: numbers readings from one counter, publishes them in batches (QoS 1), keeps
/// every reading until an acknowledgement covers its seq, and re-sends (replay: true, re-batched) whatever is still
/// unacknowledged after <see cref="ReplayAfter"/> and after every reconnect — the outbox protocol of the contract.
/// </summary>
/// <remarks>
/// Even seqs are counter readings (device <c>line-1</c>, channel <c>count</c>, delta 1); odd seqs are weights
/// (device <c>scale-1</c>). Timestamps are base + seq milliseconds, so every reading is its own InfluxDB point.
/// </remarks>
internal sealed class TestGateway : IAsyncDisposable
{
    public const string CounterDevice = "line-1";
    public const string CounterChannel = "count";
    public const string ScaleDevice = "scale-1";

    private readonly Lock _gate = new();
    private readonly SortedDictionary<long, Outstanding> _outstanding = [];
    private readonly MqttClient _client;
    private readonly CancellationTokenSource _stop = new();
    private readonly DateTimeOffset _base = DateTimeOffset.UtcNow.AddHours(-2);
    private readonly SemaphoreSlim _publishSlots = new(200);
    private Task? _ackLoop;
    private Task? _replayLoop;
    private long _nextSeq = 1;
    private long _acks;
    private long _published;
    private long _replayed;
    private long _publishFailures;

    public TestGateway(string host, int port, string site, string area, string gatewayId, TimeSpan? replayAfter = null, MqttWillOptions? will = null)
    {
        Site = site;
        Area = area;
        GatewayId = gatewayId;
        ReplayAfter = replayAfter ?? TimeSpan.FromSeconds(3);
        var options = new MqttClientOptions
        {
            Host = host,
            Port = port,
            ClientId = $"{gatewayId}-{Guid.NewGuid():N}"[..40],
            KeepAlive = TimeSpan.FromSeconds(10),
            MaxPendingPublishes = 2000,
            MaxInflightMessages = 200,
            OperationTimeout = TimeSpan.FromSeconds(10),
            Will = will,
        };
        options.Reconnect.InitialDelay = TimeSpan.FromMilliseconds(200);
        options.Reconnect.MaxDelay = TimeSpan.FromSeconds(2);
        _client = new MqttClient(options);
    }

    public string Site { get; }

    public string Area { get; }

    public string GatewayId { get; }

    public TimeSpan ReplayAfter { get; }

    public MqttClient Client => _client;

    public long LastSeq => Interlocked.Read(ref _nextSeq) - 1;

    public long AcksReceived => Interlocked.Read(ref _acks);

    public long Published => Interlocked.Read(ref _published);

    public long Replayed => Interlocked.Read(ref _replayed);

    public long PublishFailures => Interlocked.Read(ref _publishFailures);

    /// <summary>The newest acknowledgement received.</summary>
    public Acknowledgement? LastAck { get; private set; }

    public int OutstandingCount
    {
        get
        {
            lock (_gate)
            {
                return _outstanding.Count;
            }
        }
    }

    public string Topic(MessageKind kind, string? device = null)
    {
        var t = TopicTemplate.ForGateway(kind, Site, Area, GatewayId);
        return device is null ? t.ToTopic() : t.WithDevice(device).ToTopic();
    }

    public static async Task<TestGateway> StartAsync(MosquittoBroker broker, string site, string? gatewayId = null, TimeSpan? replayAfter = null, bool replay = true, MqttWillOptions? will = null)
    {
        var gw = new TestGateway(broker.Host, broker.Port, site, "area-1", gatewayId ?? TestDirectories.UniqueToken("gw"), replayAfter, will);
        await gw.ConnectAsync(replay);
        return gw;
    }

    public async Task ConnectAsync(bool replay = true)
    {
        await _client.ConnectAsync();
        await _client.SubscribeAsync(Topic(MessageKind.Ack));
        _client.ConnectionStateChanged += (_, e) =>
        {
            if (e.Kind == MqttConnectionEventKind.Connected)
            {
                // After a reconnect everything unacknowledged is due again.
                MarkAllDue();
            }
        };
        _ackLoop = Task.Run(() => ReadAcksAsync(_stop.Token));
        if (replay)
        {
            _replayLoop = Task.Run(() => ReplayLoopAsync(_stop.Token));
        }
    }

    /// <summary>Publishes <paramref name="messages"/> batches of <paramref name="perMessage"/> new readings.</summary>
    public async Task PublishBatchesAsync(int messages, int perMessage = 10, CancellationToken cancellationToken = default)
    {
        var tasks = new List<Task>(messages);
        for (var m = 0; m < messages; m++)
        {
            var readings = new Reading[perMessage];
            for (var i = 0; i < perMessage; i++)
            {
                readings[i] = NewReading(Interlocked.Increment(ref _nextSeq) - 1);
            }

            var o = new Outstanding(readings);
            lock (_gate)
            {
                foreach (var r in readings)
                {
                    _outstanding[r.Seq] = o;
                }
            }

            await _publishSlots.WaitAsync(cancellationToken);
            tasks.Add(PublishAsync(readings, replay: false));
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Publishes one scan (seq from the same counter), kept until acknowledged like readings are not (scans are tested directly).</summary>
    public async Task<ScanEvent> PublishScanAsync(string code)
    {
        var seq = Interlocked.Increment(ref _nextSeq) - 1;
        var scan = new ScanEvent
        {
            GatewayId = GatewayId,
            Seq = seq,
            Ts = _base.AddMilliseconds(seq),
            ClockSynced = true,
            Device = "scanner-1",
            Station = "bay-3",
            Code = code,
            Tech = ScanTech.Barcode,
            Symbology = "code128",
        };
        await _client.PublishAsync(Topic(MessageKind.Scans), ContractCodec.Encode(scan), MqttQos.AtLeastOnce);
        return scan;
    }

    public async Task PublishBirthAsync(long session, params string[] devices)
    {
        var birth = new GatewayBirth
        {
            GatewayId = GatewayId,
            Seq = LastSeq,
            Ts = DateTimeOffset.UtcNow,
            ClockSynced = true,
            Session = session,
            SoftwareVersion = "test-1.0",
            Devices = [.. devices.Select(d => new DeviceStatus { Device = d, State = DeviceState.Ok, ErrorCount = 0 })],
        };
        await _client.PublishAsync(Topic(MessageKind.Birth), ContractCodec.Encode(birth), MqttQos.AtLeastOnce, retain: true);
    }

    public async Task PublishHealthAsync(string device, DeviceState state, string? message = null)
    {
        var health = new DeviceHealth
        {
            GatewayId = GatewayId,
            Seq = LastSeq,
            Ts = DateTimeOffset.UtcNow,
            ClockSynced = true,
            Device = device,
            State = state,
            ErrorCount = state == DeviceState.Ok ? 0 : 3,
            Message = message,
        };
        await _client.PublishAsync(Topic(MessageKind.Health, device), ContractCodec.Encode(health), MqttQos.AtLeastOnce, retain: true);
    }

    public static MqttWillOptions Will(string site, string area, string gatewayId, long session) => new()
    {
        Topic = TopicTemplate.ForGateway(MessageKind.Death, site, area, gatewayId).ToTopic(),
        Payload = ContractCodec.Encode(new GatewayDeath
        {
            GatewayId = gatewayId,
            Seq = 0,
            Ts = DateTimeOffset.UtcNow,
            ClockSynced = true,
            Session = session,
            Graceful = false,
        }),
        Qos = MqttQos.AtLeastOnce,
        Retain = true,
    };

    /// <summary>Waits until every reading published so far is acknowledged.</summary>
    public async Task WaitAllAckedAsync(TimeSpan timeout, Func<string>? diagnostics = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (OutstandingCount > 0)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{OutstandingCount} of {LastSeq} readings still unacknowledged after {timeout} (acks {AcksReceived}, last ack through {LastAck?.StoredThrough}, published {Published}, replayed {Replayed}, publish failures {PublishFailures}).\n{diagnostics?.Invoke()}");
            }

            await Task.Delay(50);
        }
    }

    /// <summary>Sends seqs <paramref name="from"/>..<paramref name="to"/> again as replays, acknowledged or not (a gateway that missed acknowledgements).</summary>
    public async Task ResendAsync(long from, long to, int perMessage = 10)
    {
        var tasks = new List<Task>();
        for (var s = from; s <= to; s += perMessage)
        {
            var readings = new Reading[(int)Math.Min(perMessage, to - s + 1)];
            for (var i = 0; i < readings.Length; i++)
            {
                readings[i] = NewReading(s + i);
            }

            await _publishSlots.WaitAsync();
            tasks.Add(PublishAsync(readings, replay: true));
        }

        await Task.WhenAll(tasks);
    }

    /// <summary>Re-sends everything unacknowledged now (as the outbox does after a timeout).</summary>
    public Task ReplayNowAsync()
    {
        MarkAllDue();
        return ReplayDueAsync();
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        foreach (var t in new[] { _ackLoop, _replayLoop })
        {
            if (t is not null)
            {
                try
                {
                    await t.WaitAsync(TimeSpan.FromSeconds(5));
                }
                catch (OperationCanceledException)
                {
                }
                catch (TimeoutException)
                {
                }
            }
        }

        await _client.DisposeAsync();
        _stop.Dispose();
    }

    private Reading NewReading(long seq) => seq % 2 == 0
        ? new CounterReading { Seq = seq, Device = CounterDevice, Channel = CounterChannel, Ts = _base.AddMilliseconds(seq), Raw = (ulong)(seq / 2), Delta = 1, Epoch = 0, Width = 32 }
        : new WeightReading { Seq = seq, Device = ScaleDevice, Ts = _base.AddMilliseconds(seq), ValueKg = 1000 + seq, Stable = true, Motion = false, Mode = WeightMode.Gross, Status = IndicatorStatus.Ok };

    private async Task PublishAsync(Reading[] readings, bool replay)
    {
        try
        {
            var batch = new ReadingBatch
            {
                GatewayId = GatewayId,
                Seq = readings[^1].Seq,
                Ts = DateTimeOffset.UtcNow,
                ClockSynced = true,
                Replay = replay,
                Readings = readings,
            };
            await _client.PublishAsync(Topic(MessageKind.Readings), ContractCodec.Encode(batch), MqttQos.AtLeastOnce);
            if (replay)
            {
                Interlocked.Increment(ref _replayed);
            }
            else
            {
                Interlocked.Increment(ref _published);
            }
        }
        catch (MqttException)
        {
            // Not sent: it stays outstanding and is replayed.
            Interlocked.Increment(ref _publishFailures);
        }
        finally
        {
            _publishSlots.Release();
        }
    }

    private async Task ReadAcksAsync(CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var m in _client.Messages.ReadAllAsync(cancellationToken))
            {
                if (!ContractCodec.TryDecode<Acknowledgement>(m.Payload.Span, DateTimeOffset.UtcNow, out var ack, out _))
                {
                    continue;
                }

                Interlocked.Increment(ref _acks);
                LastAck = ack;
                lock (_gate)
                {
                    // Delete exactly the acknowledged seqs.
                    var done = _outstanding.Keys.TakeWhile(s => s <= ack.StoredThrough).ToList();
                    if (ack.Ranges is not null)
                    {
                        done.AddRange(_outstanding.Keys.Where(s => s > ack.StoredThrough && ack.IsStored(s)));
                    }

                    foreach (var s in done)
                    {
                        _outstanding.Remove(s);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReplayLoopAsync(CancellationToken cancellationToken)
    {
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(250), cancellationToken);
                await ReplayDueAsync();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReplayDueAsync()
    {
        if (!_client.IsConnected)
        {
            return;
        }

        List<Reading> due;
        var now = DateTime.UtcNow;
        lock (_gate)
        {
            due = [.. _outstanding.Values.Distinct().Where(o => now - o.SentAt >= ReplayAfter).SelectMany(o => o.Readings).Where(r => _outstanding.ContainsKey(r.Seq)).OrderBy(r => r.Seq)];
            foreach (var o in _outstanding.Values.Distinct())
            {
                if (now - o.SentAt >= ReplayAfter)
                {
                    o.SentAt = now;
                }
            }
        }

        // Re-batched as the gateway likes: 100 per message here; seq and ts never change.
        var tasks = new List<Task>();
        foreach (var chunk in due.Chunk(100))
        {
            await _publishSlots.WaitAsync();
            tasks.Add(PublishAsync(chunk, replay: true));
        }

        await Task.WhenAll(tasks);
    }

    private void MarkAllDue()
    {
        lock (_gate)
        {
            foreach (var o in _outstanding.Values)
            {
                o.SentAt = DateTime.MinValue;
            }
        }
    }

    private sealed class Outstanding(Reading[] readings)
    {
        public Reading[] Readings { get; } = readings;

        public DateTime SentAt { get; set; } = DateTime.UtcNow;
    }
}
