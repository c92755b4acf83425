using Edge.Outbox.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outbox;

/// <summary>
/// Drives delivery from the outbox to an <see cref="IOutboxTransport"/> in two lanes:
/// <list type="bullet">
/// <item><b>live</b>: items committed since the connection came up, sent at once, never rate-limited;</item>
/// <item><b>backlog</b>: every older unacknowledged item (after an outage, a restart, an acknowledgement timeout or a
/// failed publish), replayed in seq order, marked replay, through a token bucket
/// (<c>Outbox:Delivery:BacklogItemsPerSecond</c>) so the backlog never delays live readings.</item>
/// </list>
/// Items leave the outbox only through <see cref="AcknowledgeAsync"/> (the hub's end-to-end acknowledgement).
/// </summary>
/// <remarks>
/// The gateway calls <see cref="OnConnected"/> / <see cref="OnDisconnected"/> from its MQTT session and
/// <see cref="AcknowledgeAsync"/> for every acknowledgement message; all three are thread-safe and do not block.
/// Time comes from the injected <see cref="TimeProvider"/>, so tests drive timeouts and the rate limit with a fake
/// clock; <see cref="PumpOnceAsync"/> runs one step without the background loop.
/// </remarks>
public sealed class OutboxDispatcher : IAsyncDisposable
{
    private readonly Outbox _outbox;
    private readonly IOutboxTransport _transport;
    private readonly OutboxDeliveryOptions _options;
    private readonly ILogger _logger;
    private readonly TimeProvider _timeProvider;
    private readonly long _origin;
    private readonly Lock _lock = new();
    private readonly TokenBucket _bucket;
    private readonly SemaphoreSlim _signal = new(0, 1);
    private readonly Dictionary<long, InFlight> _inFlight = [];
    private readonly Queue<SentBatch> _sentBatches = new();
    private readonly CancellationTokenSource _stopping = new();
    private Task? _loop;
    private bool _connected;
    private long _generation;
    private long _liveCursor;
    private long _backlogCursor;
    private long _backlogEnd;
    private long _ackedThrough;
    private int _liveInFlight;
    private int _backlogInFlight;
    private int _consecutiveFailures;
    private DateTimeOffset _backoffUntil = DateTimeOffset.MinValue;
    private long _sentLive;
    private long _sentReplay;
    private long _publishFailures;

    // Timed-out items not yet reported: with no hub answering, every batch times out, and one line per batch would
    // bury the journal. At most one line per AckTimeout sums them.
    private long _expiredUnreported;
    private long _firstExpiredUnreported = long.MaxValue;
    private DateTimeOffset _nextExpiryReport;
    private int _disposed;

    /// <summary>Creates the dispatcher; call <see cref="Start"/> to run its loop.</summary>
    /// <param name="outbox">The open outbox.</param>
    /// <param name="transport">Where batches go.</param>
    /// <param name="options">Delivery settings, validated here.</param>
    /// <param name="logger">Logger; none when null.</param>
    /// <param name="timeProvider">Clock for timeouts, backoff and the rate limit; <see cref="TimeProvider.System"/> when null.</param>
    public OutboxDispatcher(Outbox outbox, IOutboxTransport transport, OutboxDeliveryOptions options, ILogger<OutboxDispatcher>? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(outbox);
        ArgumentNullException.ThrowIfNull(transport);
        OutboxDeliveryOptionsValidator.ThrowIfInvalid(options);
        _outbox = outbox;
        _transport = transport;
        _options = options;
        _logger = (ILogger?)logger ?? NullLogger.Instance;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _origin = _timeProvider.GetTimestamp();
        _bucket = new TokenBucket(options.BacklogItemsPerSecond, options.BacklogBurst, _timeProvider);
        _outbox.Committed += Signal;
        _outbox.Salvaged += OnSalvaged;
        _outbox.Renumbered += OnRenumbered;
    }

    /// <summary>A snapshot for the gateway's health report.</summary>
    public OutboxDeliveryStatus Status
    {
        get
        {
            lock (_lock)
            {
                return new OutboxDeliveryStatus
                {
                    Connected = _connected,
                    LiveInFlight = _liveInFlight,
                    BacklogInFlight = _backlogInFlight,
                    BacklogPending = _backlogCursor + 1 < _backlogEnd,
                    AckedThrough = _ackedThrough,
                    SentLive = _sentLive,
                    SentReplay = _sentReplay,
                    PublishFailures = _publishFailures,
                };
            }
        }
    }

    /// <summary>Starts the background loop.</summary>
    public void Start()
    {
        ObjectDisposedException.ThrowIf(Volatile.Read(ref _disposed) != 0, this);
        if (_loop is not null)
        {
            throw new InvalidOperationException("The dispatcher is already running.");
        }

        _loop = Task.Run(() => RunAsync(_stopping.Token));
    }

    /// <summary>
    /// The transport (re)connected. Everything committed so far and not acknowledged becomes backlog (replayed, rate
    /// limited); everything committed from now on is live.
    /// </summary>
    public void OnConnected()
    {
        long last;
        lock (_lock)
        {
            _connected = true;
            _generation++;
            ClearInFlight();
            last = _outbox.LastSeq;
            _liveCursor = last;
            _backlogCursor = _ackedThrough;
            _backlogEnd = last + 1;
            _consecutiveFailures = 0;
            _backoffUntil = DateTimeOffset.MinValue;
        }

        _logger.Connected(last, _options.BacklogItemsPerSecond, last + 1);
        Signal();
    }

    /// <summary>The transport lost its connection: nothing is sent until <see cref="OnConnected"/>.</summary>
    public void OnDisconnected()
    {
        int inFlight;
        lock (_lock)
        {
            if (!_connected)
            {
                return;
            }

            _connected = false;
            _generation++;
            inFlight = _inFlight.Count;
        }

        _logger.Disconnected(inFlight);
    }

    /// <summary>
    /// The hub acknowledged: every seq ≤ <paramref name="storedThrough"/> and every seq in <paramref name="ranges"/> is
    /// stored. Those items stop being awaited and are deleted from the outbox.
    /// </summary>
    /// <param name="storedThrough">The hub's watermark.</param>
    /// <param name="ranges">Stored seqs above the watermark; may be null.</param>
    /// <param name="cancellationToken">Stops waiting for the deletion (which still happens).</param>
    /// <returns>How many items were deleted.</returns>
    public async Task<int> AcknowledgeAsync(long storedThrough, IReadOnlyList<OutboxSeqRange>? ranges, CancellationToken cancellationToken = default)
    {
        lock (_lock)
        {
            _ackedThrough = Math.Max(_ackedThrough, storedThrough);
            List<long>? covered = null;
            foreach (var seq in _inFlight.Keys)
            {
                if (seq <= storedThrough || InRanges(seq, ranges))
                {
                    (covered ??= []).Add(seq);
                }
            }

            if (covered is not null)
            {
                foreach (var seq in covered)
                {
                    RemoveInFlight(seq);
                }
            }
        }

        var deleted = await _outbox.AcknowledgeAsync(storedThrough, ranges, cancellationToken);
        _logger.Acknowledged(storedThrough, ranges?.Count ?? 0, deleted);
        Signal();
        return deleted;
    }

    /// <summary>Stops the loop; the outbox stays open (dispose it after the dispatcher).</summary>
    /// <returns>A task that completes when the loop has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _outbox.Committed -= Signal;
        _outbox.Salvaged -= OnSalvaged;
        _outbox.Renumbered -= OnRenumbered;
        await _stopping.CancelAsync();
        if (_loop is not null)
        {
            try
            {
                await _loop;
            }
            catch (OperationCanceledException)
            {
                // Stopping.
            }
        }

        _stopping.Dispose();
        _signal.Dispose();
    }

    /// <summary>
    /// One step: expire unacknowledged items, send one live batch (if any) and one backlog batch (within the rate
    /// limit). Returns whether anything was published and, if not, when there will be something to do.
    /// </summary>
    internal async Task<PumpOutcome> PumpOnceAsync(CancellationToken cancellationToken)
    {
        long generation;
        long liveAfter;
        int liveRoom;
        lock (_lock)
        {
            if (!_connected)
            {
                return new PumpOutcome(false, null);
            }

            var now = Now();
            ExpireTimedOut(now);
            if (now < _backoffUntil)
            {
                return new PumpOutcome(false, _backoffUntil - now);
            }

            generation = _generation;
            liveAfter = _liveCursor;
            liveRoom = _options.MaxInFlight - _liveInFlight;
        }

        var published = false;

        // Live first: a fresh reading never waits behind the backlog.
        if (liveRoom > 0 && _outbox.LastSeq > liveAfter)
        {
            var items = await _outbox.ReadRangeAsync(liveAfter, long.MaxValue, Math.Min(_options.MaxPublishBatch, liveRoom), cancellationToken);
            if (items.Count > 0)
            {
                if (!await PublishAsync(items, backlog: false, generation, cancellationToken))
                {
                    return Idle();
                }

                published = true;
            }
        }

        if (await SendBacklogAsync(generation, cancellationToken))
        {
            published = true;
        }

        return published ? new PumpOutcome(true, null) : Idle();
    }

    /// <summary>
    /// Monotonic time for timeouts and backoff. The wall clock of a gateway steps (NTP correcting a fast or unset RTC
    /// after boot); measured on it, a step back would keep in-flight items from expiring and a backoff from ending for
    /// as long as the step.
    /// </summary>
    private DateTimeOffset Now() => DateTimeOffset.UnixEpoch + _timeProvider.GetElapsedTime(_origin);

    private static bool InRanges(long seq, IReadOnlyList<OutboxSeqRange>? ranges)
    {
        if (ranges is null)
        {
            return false;
        }

        foreach (var r in ranges)
        {
            if (r.Contains(seq))
            {
                return true;
            }
        }

        return false;
    }

    private async Task<bool> SendBacklogAsync(long generation, CancellationToken cancellationToken)
    {
        long cursor;
        long end;
        int want;
        lock (_lock)
        {
            if (generation != _generation || _backlogCursor + 1 >= _backlogEnd)
            {
                return false;
            }

            want = Math.Min(Math.Min(_bucket.Available, _options.MaxPublishBatch), _options.MaxInFlight - _backlogInFlight);
            if (want <= 0)
            {
                return false;
            }

            cursor = _backlogCursor;
            end = _backlogEnd;
        }

        // Scan forward from the cursor, skipping what is still awaited or already acknowledged; stop at `want` items.
        var batch = new List<OutboxEntry>(want);
        var scanned = cursor;
        while (batch.Count < want)
        {
            var rows = await _outbox.ReadRangeAsync(scanned, end, want, cancellationToken);
            if (rows.Count == 0)
            {
                scanned = end - 1;
                break;
            }

            lock (_lock)
            {
                foreach (var row in rows)
                {
                    if (batch.Count == want)
                    {
                        break;
                    }

                    scanned = row.Seq;
                    if (row.Seq > _ackedThrough && !_inFlight.ContainsKey(row.Seq))
                    {
                        batch.Add(row);
                    }
                }
            }
        }

        if (batch.Count == 0)
        {
            lock (_lock)
            {
                if (generation == _generation && scanned > _backlogCursor)
                {
                    _backlogCursor = scanned;
                }
            }

            return false;
        }

        return await PublishAsync(batch, backlog: true, generation, cancellationToken);
    }

    private async Task<bool> PublishAsync(IReadOnlyList<OutboxEntry> batch, bool backlog, long generation, CancellationToken cancellationToken)
    {
        try
        {
            await _transport.PublishAsync(batch, replay: backlog, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            TimeSpan delay;
            lock (_lock)
            {
                _publishFailures++;
                _consecutiveFailures++;
                var factor = Math.Pow(2, Math.Min(_consecutiveFailures - 1, 30));
                delay = TimeSpan.FromTicks((long)Math.Min(_options.MaxBackoff.Ticks, _options.InitialBackoff.Ticks * factor));
                _backoffUntil = Now() + delay;
                if (!backlog && generation == _generation)
                {
                    // Some may have reached the broker: from now on they are resends, so they go to the backlog.
                    _liveCursor = Math.Max(_liveCursor, batch[^1].Seq);
                    ExtendBacklog(batch[0].Seq, batch[^1].Seq);
                }
            }

            _logger.PublishFailed(batch.Count, backlog, delay, ex);
            return false;
        }

        lock (_lock)
        {
            _consecutiveFailures = 0;
            if (generation != _generation)
            {
                // The connection changed while publishing: OnConnected already made these backlog.
                return true;
            }

            var sent = new SentBatch(Now(), batch.Count);
            foreach (var entry in batch)
            {
                _inFlight[entry.Seq] = new InFlight(sent, backlog);
            }

            _sentBatches.Enqueue(sent);
            sent.Seqs = [.. batch.Select(e => e.Seq)];
            if (backlog)
            {
                _backlogInFlight += batch.Count;
                _backlogCursor = Math.Max(_backlogCursor, batch[^1].Seq);
                _bucket.Take(batch.Count);
                _sentReplay += batch.Count;
            }
            else
            {
                _liveInFlight += batch.Count;
                _liveCursor = Math.Max(_liveCursor, batch[^1].Seq);
                _sentLive += batch.Count;
            }
        }

        return true;
    }

    private PumpOutcome Idle()
    {
        lock (_lock)
        {
            if (!_connected)
            {
                return new PumpOutcome(false, null);
            }

            var now = Now();
            if (now < _backoffUntil)
            {
                // Nothing may be sent before the backoff ends, whatever else is due.
                return new PumpOutcome(false, _backoffUntil - now);
            }

            TimeSpan? wake = null;
            PruneAcknowledgedBatches();
            if (_sentBatches.TryPeek(out var head))
            {
                wake = Earliest(wake, head.SentAt + _options.AckTimeout - now);
            }

            if (_backlogCursor + 1 < _backlogEnd && _backlogInFlight < _options.MaxInFlight)
            {
                wake = Earliest(wake, _bucket.TimeUntil(1));
            }

            return new PumpOutcome(false, wake);
        }
    }

    private static TimeSpan Earliest(TimeSpan? a, TimeSpan b)
    {
        var clamped = b < TimeSpan.Zero ? TimeSpan.Zero : b;
        return a is null || clamped < a.Value ? clamped : a.Value;
    }

    /// <summary>Items sent longer than AckTimeout ago and still not acknowledged go back to the backlog.</summary>
    private void ExpireTimedOut(DateTimeOffset now)
    {
        var count = 0;
        var first = long.MaxValue;
        while (_sentBatches.TryPeek(out var batch) && (batch.Remaining == 0 || batch.SentAt + _options.AckTimeout <= now))
        {
            _sentBatches.Dequeue();
            if (batch.Remaining == 0)
            {
                continue;
            }

            foreach (var seq in batch.Seqs)
            {
                if (_inFlight.TryGetValue(seq, out var f) && ReferenceEquals(f.Batch, batch))
                {
                    RemoveInFlight(seq);
                    ExtendBacklog(seq, seq);
                    count++;
                    first = Math.Min(first, seq);
                }
            }
        }

        if (count == 0)
        {
            return;
        }

        _expiredUnreported += count;
        _firstExpiredUnreported = Math.Min(_firstExpiredUnreported, first);
        if (now >= _nextExpiryReport)
        {
            _logger.AckTimedOut(_expiredUnreported, _options.AckTimeout, _firstExpiredUnreported);
            _expiredUnreported = 0;
            _firstExpiredUnreported = long.MaxValue;
            _nextExpiryReport = now + _options.AckTimeout;
        }
    }

    private void PruneAcknowledgedBatches()
    {
        while (_sentBatches.TryPeek(out var batch) && batch.Remaining == 0)
        {
            _sentBatches.Dequeue();
        }
    }

    /// <summary>Makes [first, last] part of the backlog region (cursor, end).</summary>
    private void ExtendBacklog(long first, long last)
    {
        if (_backlogCursor + 1 >= _backlogEnd)
        {
            _backlogCursor = first - 1;
            _backlogEnd = last + 1;
            return;
        }

        _backlogCursor = Math.Min(_backlogCursor, first - 1);
        _backlogEnd = Math.Max(_backlogEnd, last + 1);
    }

    private void RemoveInFlight(long seq)
    {
        if (_inFlight.Remove(seq, out var f))
        {
            f.Batch.Remaining--;
            if (f.Backlog)
            {
                _backlogInFlight--;
            }
            else
            {
                _liveInFlight--;
            }
        }
    }

    private void ClearInFlight()
    {
        _inFlight.Clear();
        _sentBatches.Clear();
        _liveInFlight = 0;
        _backlogInFlight = 0;
    }

    /// <summary>
    /// Items were renumbered above the hub's highest stored seq (the writer thread; only signals): what is in flight
    /// went under numbers the hub takes for readings it has, so everything unacknowledged is backlog again.
    /// </summary>
    private void OnRenumbered(long storedThrough, long lastSeq)
    {
        lock (_lock)
        {
            _ackedThrough = Math.Max(_ackedThrough, storedThrough);
            _generation++;
            ClearInFlight();
            _liveCursor = Math.Max(_liveCursor, lastSeq);
            _backlogCursor = _ackedThrough;
            _backlogEnd = lastSeq + 1;
        }

        Signal();
    }

    /// <summary>A salvage put items back below the live cursor: they are backlog now (the writer thread; only signals).</summary>
    private void OnSalvaged(long lowest, long highest)
    {
        lock (_lock)
        {
            if (_connected)
            {
                ExtendBacklog(lowest, highest);
            }
        }

        Signal();
    }

    private void Signal()
    {
        if (_signal.CurrentCount != 0)
        {
            return;
        }

        try
        {
            _signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another signal got there first; one is enough.
        }
        catch (ObjectDisposedException)
        {
            // Stopped.
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            PumpOutcome outcome;
            try
            {
                outcome = await PumpOnceAsync(cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // E.g. the outbox could not read: try again later rather than spin.
                _logger.PumpFailed(_options.InitialBackoff, ex);
                outcome = new PumpOutcome(false, _options.InitialBackoff);
            }

            if (!outcome.Published)
            {
                await WaitAsync(outcome.WakeAfter, cancellationToken);
            }
        }
    }

    private async Task WaitAsync(TimeSpan? wakeAfter, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var signalled = _signal.WaitAsync(linked.Token);
        var timer = wakeAfter is { } after
            ? Task.Delay(after > TimeSpan.FromDays(1) ? TimeSpan.FromDays(1) : after, _timeProvider, linked.Token)
            : Task.Delay(Timeout.InfiniteTimeSpan, linked.Token);
        await Task.WhenAny(signalled, timer);
        await linked.CancelAsync();
        try
        {
            await Task.WhenAll(signalled, timer);
        }
        catch (OperationCanceledException)
        {
            // The loser of the two was cancelled.
        }
    }

    /// <summary>One item awaiting the hub's acknowledgement.</summary>
    private readonly record struct InFlight(SentBatch Batch, bool Backlog);

    /// <summary>Items sent together: expire together.</summary>
    private sealed class SentBatch(DateTimeOffset sentAt, int count)
    {
        public DateTimeOffset SentAt { get; } = sentAt;

        public long[] Seqs { get; set; } = [];

        public int Remaining { get; set; } = count;
    }
}

/// <summary>What one dispatcher step did.</summary>
/// <param name="Published">Something was handed to the transport (run again at once).</param>
/// <param name="WakeAfter">If nothing was published: when a timer makes work (null: only a signal will).</param>
internal readonly record struct PumpOutcome(bool Published, TimeSpan? WakeAfter);

/// <summary>A snapshot of delivery for the gateway's health report.</summary>
public sealed record OutboxDeliveryStatus
{
    /// <summary>Whether the transport is connected (as last reported).</summary>
    public required bool Connected { get; init; }

    /// <summary>Live items sent and awaiting the hub's acknowledgement.</summary>
    public required int LiveInFlight { get; init; }

    /// <summary>Replayed items sent and awaiting the hub's acknowledgement.</summary>
    public required int BacklogInFlight { get; init; }

    /// <summary>Whether backlog items remain to be replayed.</summary>
    public required bool BacklogPending { get; init; }

    /// <summary>The highest watermark the hub has acknowledged.</summary>
    public required long AckedThrough { get; init; }

    /// <summary>Items sent as live since start.</summary>
    public required long SentLive { get; init; }

    /// <summary>Items sent as replay since start.</summary>
    public required long SentReplay { get; init; }

    /// <summary>Publish calls that failed since start.</summary>
    public required long PublishFailures { get; init; }
}
