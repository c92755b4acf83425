using System.Diagnostics;
using System.Threading.Channels;
using Edge.Contracts;
using Edge.Hub.Hosting;
using Edge.Hub.Influx;
using Edge.Hub.Metrics;
using Edge.Hub.Roster;
using Edge.Hub.State;
using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Ingest;

/// <summary>
/// The ingest: one consumer that decodes every MQTT message, de-duplicates by (gateway, seq), hands new readings and
/// scans to the InfluxDB writer and queues them in receipt order; one committer that waits until InfluxDB has
/// settled each message, records it in the state store (in batches, one transaction each) and only then marks the
/// gateway for an acknowledgement.
/// </summary>
/// <remarks>
/// <para>The rule that makes "nothing lost, nothing twice" hold: a seq is acknowledged only after InfluxDB answered
/// 204 for it (or it was dead-lettered and the letter stored) <i>and</i> the state store committed it. A crash at
/// any point before that leaves the seq unacknowledged; the gateway replays it; InfluxDB overwrites the same point
/// (same series and timestamp), and the commit, which re-checks inside its transaction, counts it once.</para>
/// <para>Nothing a payload contains can stop the consumer: every failure, expected or not, becomes a dead letter.</para>
/// </remarks>
internal sealed class IngestService : BackgroundService
{
    private static readonly TimeSpan s_commitRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly IReadOnlySet<int> s_noneDeadLettered = new HashSet<int>();
    private readonly HubMqttConnection _mqtt;
    private readonly IInfluxWriter _writer;
    private readonly IStateStore _store;
    private readonly IngestLedger _ledger;
    private readonly RosterTracker _roster;
    private readonly AckPublisher _acks;
    private readonly DeadLetterRecorder _deadLetters;
    private readonly HubMetrics _metrics;
    private readonly TestCrashHook _crashHook;
    private readonly HubFailure _failure;
    private readonly IngestOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Channel<Pending> _pipeline;
    private readonly CancellationTokenSource _hardStop = new();
    private readonly LogThrottle _errorThrottle = new(TimeSpan.FromMinutes(1));

    // The consumer's own: lines are formatted into it and copied out once per message.
    private readonly InfluxLinesBuilder _lines = new();
    private Task? _committer;

    /// <summary>Creates the service.</summary>
    /// <param name="mqtt">The connection whose messages are consumed.</param>
    /// <param name="writer">The InfluxDB writer.</param>
    /// <param name="store">The state store.</param>
    /// <param name="ledger">Seqs in memory.</param>
    /// <param name="roster">The roster in memory.</param>
    /// <param name="acks">The acknowledgement publisher.</param>
    /// <param name="deadLetters">The dead-letter recorder.</param>
    /// <param name="metrics">The counters.</param>
    /// <param name="crashHook">The test-only crash hook.</param>
    /// <param name="failure">Where a failure of the commit loop is reported (it stops the hub), and whether the hub failed.</param>
    /// <param name="options">The <c>Ingest</c> section.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public IngestService(
        HubMqttConnection mqtt,
        IInfluxWriter writer,
        IStateStore store,
        IngestLedger ledger,
        RosterTracker roster,
        AckPublisher acks,
        DeadLetterRecorder deadLetters,
        HubMetrics metrics,
        TestCrashHook crashHook,
        HubFailure failure,
        IOptions<IngestOptions> options,
        TimeProvider timeProvider,
        ILogger<IngestService> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _mqtt = mqtt;
        _writer = writer;
        _store = store;
        _ledger = ledger;
        _roster = roster;
        _acks = acks;
        _deadLetters = deadLetters;
        _metrics = metrics;
        _crashHook = crashHook;
        _failure = failure;
        _options = options.Value;
        _time = timeProvider;
        _logger = logger;
        _pipeline = Channel.CreateBounded<Pending>(new BoundedChannelOptions(_options.PipelineCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Messages between receipt and commit.</summary>
    public int PipelineDepth => _pipeline.Reader.Count;

    /// <inheritdoc/>
    public override Task StartAsync(CancellationToken cancellationToken)
    {
        _committer = Task.Run(() => CommitLoopAsync(_hardStop.Token), CancellationToken.None);
        return base.StartAsync(cancellationToken);
    }

    /// <summary>
    /// Stops consuming, then lets the committer finish what InfluxDB settles before <paramref name="cancellationToken"/>
    /// fires; what is left is neither committed nor acknowledged and comes back by replay.
    /// </summary>
    /// <param name="cancellationToken">The end of the host's shutdown allowance.</param>
    /// <returns>A task that completes when both loops have stopped.</returns>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        _pipeline.Writer.TryComplete();
        if (_committer is null)
        {
            return;
        }

        try
        {
            // Do not wait out the batch interval: send what is queued now.
            _ = _writer.FlushAsync(cancellationToken);
            await _committer.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            await _hardStop.CancelAsync();
            await _committer;
        }
    }

    /// <inheritdoc/>
    public override void Dispose()
    {
        _hardStop.Dispose();
        base.Dispose();
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var messages = _mqtt.Client.Messages;
        try
        {
            while (await messages.WaitToReadAsync(stoppingToken))
            {
                while (messages.TryRead(out var message))
                {
                    await HandleSafelyAsync(message, stoppingToken);
                }
            }

            if (!stoppingToken.IsCancellationRequested)
            {
                // The client's network loop ended (it logged why): nothing will ever arrive again, and a hub that
                // only returned from here would look alive while the gateways' outboxes filled. A restart recovers.
                _failure.Fail("the MQTT client", new InvalidOperationException("Its message stream ended while the hub was running: the network loop stopped."));
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping; what the client still buffers is not acknowledged and will be replayed.
        }
    }

    private async Task HandleSafelyAsync(MqttMessage message, CancellationToken stoppingToken)
    {
        try
        {
            await HandleAsync(message, stoppingToken);
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            throw;
        }
        catch (InvalidOperationException) when (stoppingToken.IsCancellationRequested)
        {
            // The writer stops with the host: nothing is lost, the message is simply not acknowledged.
            throw new OperationCanceledException(stoppingToken);
        }
        catch (InvalidOperationException) when (_failure.HasFailed)
        {
            // The writer refuses points because the hub failed and is stopping. The message is not at fault, so it
            // is no dead letter; it is not acknowledged and comes back by replay, like those abandoned at shutdown.
            _metrics.AbandonedAtShutdown(1);
        }
        catch (Exception e)
        {
            // A bug or a fault nobody foresaw must cost one message, never the consumer.
            if (_errorThrottle.ShouldLog(message.Topic, _time.GetUtcNow(), out var suppressed, out _))
            {
                Log.IngestFailed(_logger, e, message.Topic, suppressed);
            }

            await _deadLetters.RecordAsync(message.Topic, SourceOf(message.Topic, null), "Internal", $"Internal: {e.GetType().Name}: {e.Message}", message.Payload, stoppingToken);
        }
    }

    private async Task HandleAsync(MqttMessage message, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (!ContractCodec.TryDecode(message.Topic, message.Payload.Span, now, out var parts, out var decoded, out var error))
        {
            await _deadLetters.RecordAsync(message.Topic, SourceOf(message.Topic, parts), error.Code.ToString(), error.ToString(), message.Payload, cancellationToken);
            return;
        }

        var address = new GatewayAddress(parts!.Site, parts.Area!, parts.Gateway!);
        _metrics.MessageDecoded(decoded.Kind);
        switch (decoded)
        {
            case ReadingBatch batch:
                await HandleReadingsAsync(address, batch, now, cancellationToken);
                break;
            case ScanEvent scan:
                await HandleScanAsync(address, scan, now, cancellationToken);
                break;
            case GatewayBirth birth:
                HandleBirth(address, birth, now, message.Retain);
                await QueueAsync(Pending.Done(new StoreBirth(address, now, birth, message.Retain)), cancellationToken);
                break;
            case GatewayDeath death:
                _roster.ApplyDeath(address, death, now);
                _ledger.Get(address).Saw(death.Seq);
                await QueueAsync(Pending.Done(new StoreDeath(address, now, death)), cancellationToken);
                break;
            case DeviceHealth health:
                HandleHealth(address, health, now, message.Retain);
                await QueueAsync(Pending.Done(new StoreHealth(address, now, health, message.Retain)), cancellationToken);
                break;
            default:
                // Only the hub's own subscriptions deliver here; another kind means a broker or bridge misroutes.
                await _deadLetters.RecordAsync(message.Topic, address.GatewayId, "UnexpectedKind", $"UnexpectedKind: the hub does not ingest {decoded.Kind} messages.", message.Payload, cancellationToken);
                break;
        }
    }

    private async Task HandleReadingsAsync(GatewayAddress address, ReadingBatch batch, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var readings = batch.Readings;
        var ledger = _ledger.Get(address);
        _roster.TouchDevices(address, readings, now);
        _metrics.ReadingsArrived(readings.Count);
        _metrics.Lag(now - readings[^1].Ts);

        var (toWrite, claimed, duplicates) = Claim(ledger, readings);
        if (duplicates > 0)
        {
            // Already stored or on its way: not written again, but acknowledged again, since the gateway evidently
            // missed the acknowledgement.
            await QueueAsync(Pending.Done(new StoreSeen(address, now, batch.Seq, duplicates)), cancellationToken);
        }

        if (claimed.Length == 0)
        {
            return;
        }

        InfluxLines lines;
        try
        {
            var source = new PointSource(address.Site, address.Area, address.GatewayId);
            _lines.Clear();
            for (var i = 0; i < toWrite.Count; i++)
            {
                InfluxSchema.AppendLine(_lines, toWrite[i], source);
            }

            lines = _lines.ToLines();
        }
        catch
        {
            ledger.Release(claimed);
            throw;
        }

        if (CountSeriesCollisions(toWrite) is > 0 and var collisions)
        {
            _metrics.SeriesCollided(collisions);
            if (_errorThrottle.ShouldLog("collision " + address.GatewayId, now, out var suppressed, out _))
            {
                Log.SeriesCollision(_logger, address.GatewayId, collisions, toWrite[0].Seq, toWrite[^1].Seq, suppressed);
            }
        }

        var origin = $"{address.GatewayId} seq {toWrite[0].Seq}-{toWrite[^1].Seq}";
        await WriteAndQueueAsync(ledger, claimed, lines, origin, new StoreReadings(address, now, toWrite, s_noneDeadLettered, batch.Seq, !batch.Replay), cancellationToken);
    }

    /// <summary>Claims a batch's seqs: the readings to write (the batch itself when none is a duplicate) and their seqs.</summary>
    private static (IReadOnlyList<Reading> ToWrite, long[] Claimed, int Duplicates) Claim(GatewayLedger ledger, IReadOnlyList<Reading> readings)
    {
        var count = readings.Count;
        var seqs = new long[count];
        for (var i = 0; i < count; i++)
        {
            seqs[i] = readings[i].Seq;
        }

        Span<bool> fresh = count <= 256 ? stackalloc bool[count] : new bool[count];
        var duplicates = ledger.Claim(seqs, fresh);
        if (duplicates == 0)
        {
            return (readings, seqs, 0);
        }

        var toWrite = new Reading[count - duplicates];
        var claimed = new long[toWrite.Length];
        for (int i = 0, j = 0; i < count; i++)
        {
            if (fresh[i])
            {
                toWrite[j] = readings[i];
                claimed[j++] = seqs[i];
            }
        }

        return (toWrite, claimed, duplicates);
    }

    private async Task HandleScanAsync(GatewayAddress address, ScanEvent scan, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var ledger = _ledger.Get(address);
        _roster.Touch(address, now);
        Span<long> seq = [scan.Seq];
        Span<bool> fresh = [false];
        if (ledger.Claim(seq, fresh) > 0)
        {
            await QueueAsync(Pending.Done(new StoreSeen(address, now, scan.Seq, 1)), cancellationToken);
            return;
        }

        long[] claimed = [scan.Seq];
        _lines.Clear();
        _lines.Append(InfluxSchema.ToPoint(scan, address.Site, address.Area));
        await WriteAndQueueAsync(ledger, claimed, _lines.ToLines(), $"{address.GatewayId} scan seq {scan.Seq}", new StoreScan(address, now, scan, false), cancellationToken);
    }

    private async Task WriteAndQueueAsync(GatewayLedger ledger, long[] claimed, InfluxLines lines, string origin, StoreWork work, CancellationToken cancellationToken)
    {
        Task<InfluxWriteResult> write;
        try
        {
            write = await _writer.EnqueueAsync(lines, origin, cancellationToken);
        }
        catch
        {
            ledger.Release(claimed);
            throw;
        }

        try
        {
            await QueueAsync(new Pending(ledger, claimed, write, work), cancellationToken);
        }
        catch
        {
            // InfluxDB may still store the points; without a commit they are not acknowledged and come back by
            // replay, which overwrites the same points.
            ledger.Release(claimed);
            throw;
        }
    }

    private void HandleBirth(GatewayAddress address, GatewayBirth birth, DateTimeOffset now, bool retained)
    {
        _roster.ApplyBirth(address, birth, now, retained);
        var ledger = _ledger.Get(address);
        var (storedThrough, _, _) = ledger.Figures();

        // A live birth carries the newest seq the gateway has assigned; less than what is stored means its counter
        // went backwards (a wiped outbox), and its new readings would be dropped as duplicates.
        if (!retained && birth.Seq < storedThrough)
        {
            _metrics.SeqRegressed();
            Log.SeqRegression(_logger, address.GatewayId, birth.Seq, storedThrough);
        }

        ledger.Saw(birth.Seq);
        Log.GatewayBorn(_logger, address.GatewayId, birth.Session, birth.Seq, retained);
    }

    private void HandleHealth(GatewayAddress address, DeviceHealth health, DateTimeOffset now, bool retained)
    {
        _roster.ApplyHealth(address, health, now, retained);
        _ledger.Get(address).Saw(health.Seq);

        // Health is state, not money: when the writer is full it waits for the next report rather than holding up
        // the readings behind it.
        if (!retained)
        {
            _writer.TryEnqueue([InfluxSchema.ToPoint(health, address.Site, address.Area)], $"{address.GatewayId} health {health.Device}", out _);
        }
    }

    private ValueTask QueueAsync(Pending pending, CancellationToken cancellationToken) => _pipeline.Writer.WriteAsync(pending, cancellationToken);

    private async Task CommitLoopAsync(CancellationToken hardStop)
    {
        var reader = _pipeline.Reader;
        var batch = new List<Pending>();
        try
        {
            while (await reader.WaitToReadAsync(hardStop))
            {
                batch.Clear();
                if (!reader.TryRead(out var first))
                {
                    continue;
                }

                batch.Add(first);
                if (first.Write is { IsCompleted: false } write)
                {
                    await WaitSettledAsync(write, hardStop);
                }

                // Everything behind it that InfluxDB has settled too goes into the same transaction.
                while (batch.Count < _options.MaxCommitBatch && reader.TryPeek(out var next) && (next.Write is null || next.Write.IsCompleted))
                {
                    reader.TryRead(out next);
                    batch.Add(next!);
                }

                await CommitAsync(batch, hardStop);
            }
        }
        catch (OperationCanceledException) when (hardStop.IsCancellationRequested)
        {
            // Out of time: release what is left; none of it was acknowledged.
            var left = batch.Count;
            foreach (var p in batch)
            {
                p.Release();
            }

            while (reader.TryRead(out var p))
            {
                p.Release();
                left++;
            }

            _metrics.AbandonedAtShutdown(left);
            Log.IngestAbandoned(_logger, left);
        }
        catch (Exception e)
        {
            // Unreachable by design (a store outage is a StateStoreException, retried above). The ledger may no longer
            // match what was committed, so the hub must not acknowledge again; merely stopping this loop would leave
            // it looking ready while the gateways' outboxes fill. Stop the process instead: a new hub loads the
            // committed state and the gateways replay the rest.
            _failure.Fail("the commit loop", e);
        }
    }

    private static async Task WaitSettledAsync(Task<InfluxWriteResult> write, CancellationToken hardStop)
    {
        try
        {
            await write.WaitAsync(hardStop);
        }
        catch (OperationCanceledException) when (!hardStop.IsCancellationRequested)
        {
            // The writer abandoned the group (it is stopping): handled as not written.
        }
    }

    private async Task CommitAsync(List<Pending> batch, CancellationToken hardStop)
    {
        var work = new List<StoreWork>(batch.Count);
        var written = false;
        var abandoned = 0;
        foreach (var p in batch)
        {
            if (p.Write is null)
            {
                work.Add(p.Work);
                continue;
            }

            if (!p.Write.IsCompletedSuccessfully)
            {
                // Not settled by InfluxDB: neither committed nor acknowledged.
                p.Release();
                p.Abandoned = true;
                abandoned++;
                continue;
            }

            written = true;
            work.Add(p.WithResult(p.Write.Result));
        }

        if (abandoned > 0)
        {
            _metrics.AbandonedAtShutdown(abandoned);
        }

        if (written)
        {
            _crashHook.Reached(CrashPoint.AfterWrite);
        }

        IReadOnlyList<GatewayCommit> commits;
        for (var attempt = 1; ; attempt++)
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                commits = _store.Commit(work, _time.GetUtcNow());
                _metrics.Committed(Stopwatch.GetElapsedTime(started));
                break;
            }
            catch (StateStoreException e)
            {
                // Without the commit there is no acknowledgement; keep the batch and try again.
                _metrics.CommitFailed();
                Log.CommitFailed(_logger, e, work.Count, attempt, s_commitRetryDelay);
            }

            await Task.Delay(s_commitRetryDelay, _time, hardStop);
        }

        if (written)
        {
            _crashHook.Reached(CrashPoint.AfterCommit);
        }

        long readings = 0, scans = 0, duplicates = 0;
        foreach (var c in commits)
        {
            _ledger.Get(c.Gateway).Committed(c);
            readings += c.NewReadings;
            scans += c.NewScans;
            duplicates += c.Duplicates;
            if (c.NeedsAck)
            {
                _acks.MarkDirty(c.Gateway);
            }
        }

        foreach (var p in batch)
        {
            if (!p.Abandoned)
            {
                p.Release();
            }
        }

        _metrics.Stored(readings, scans, duplicates);
    }

    /// <summary>
    /// Readings in one batch that InfluxDB would take for the same point: same kind, device, channel, unit and
    /// timestamp (InfluxDB identifies a point by measurement, tags and time) but different seqs. The later overwrites
    /// the earlier there while the state store keeps both, so each is counted and logged: a gateway doing this
    /// stamps two readings of one channel with the same 100 ns tick.
    /// </summary>
    private static int CountSeriesCollisions(IReadOnlyList<Reading> readings)
    {
        var collisions = 0;
        if (readings.Count <= 16)
        {
            // A gateway's usual batch: comparing pairs costs less than hashing every reading into a set.
            for (var i = 1; i < readings.Count; i++)
            {
                for (var j = 0; j < i; j++)
                {
                    if (SamePoint(readings[i], readings[j]))
                    {
                        collisions++;
                        break;
                    }
                }
            }

            return collisions;
        }

        var seen = new HashSet<(Type, string, string?, string?, long)>(readings.Count);
        foreach (var r in readings)
        {
            if (!seen.Add((r.GetType(), r.Device, r.Channel, (r as AnalogReading)?.Unit, r.Ts.UtcTicks)))
            {
                collisions++;
            }
        }

        return collisions;
    }

    private static bool SamePoint(Reading a, Reading b) =>
        a.Ts.UtcTicks == b.Ts.UtcTicks
        && a.GetType() == b.GetType()
        && string.Equals(a.Device, b.Device, StringComparison.Ordinal)
        && string.Equals(a.Channel, b.Channel, StringComparison.Ordinal)
        && string.Equals((a as AnalogReading)?.Unit, (b as AnalogReading)?.Unit, StringComparison.Ordinal);

    private static string SourceOf(string topic, TopicParts? parts)
    {
        if (parts?.Gateway is { } gateway)
        {
            return gateway;
        }

        // Without a valid topic there is no trustworthy sender; group such letters by the gateway segment if the
        // topic has one, so one bad publisher still logs once per interval.
        var segments = topic.Split('/', 6);
        return segments.Length >= 5 && segments[0] == "edge" ? $"topic {segments[4]}" : "topic";
    }

    /// <summary>One message between receipt and commit.</summary>
    private sealed class Pending(GatewayLedger? ledger, long[]? claimed, Task<InfluxWriteResult>? write, StoreWork work)
    {
        public Task<InfluxWriteResult>? Write { get; } = write;

        public StoreWork Work { get; } = work;

        public bool Abandoned { get; set; }

        public static Pending Done(StoreWork work) => new(null, null, null, work);

        public StoreWork WithResult(InfluxWriteResult result)
        {
            if (result.AllWritten)
            {
                return Work;
            }

            var dead = result.DeadLettered.Select(d => d.Index).ToHashSet();
            return Work switch
            {
                StoreReadings r => r with { DeadLettered = dead },
                StoreScan s => s with { DeadLettered = true },
                _ => Work,
            };
        }

        public void Release()
        {
            if (ledger is not null && claimed is not null)
            {
                ledger.Release(claimed);
            }
        }
    }
}
