using System.Collections.Concurrent;
using System.Threading.Channels;
using Edge.Contracts;
using Edge.Hub.Hosting;
using Edge.Hub.Metrics;
using Edge.Hub.State;
using Edge.Mqtt;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Ingest;

/// <summary>
/// Publishes <see cref="Acknowledgement"/>s, QoS 1, to each gateway's <c>ack</c> topic after its seqs are committed.
/// Coalesced: at most one per gateway per <see cref="IngestOptions.AckInterval"/> and one in flight at a time, so a
/// gateway sending thousands of batches a second gets a handful of acknowledgements that each carry everything
/// stored so far; a gateway idle for longer than the interval is acknowledged at once.
/// </summary>
/// <remarks>
/// An acknowledgement is a copy of the committed state, never of work in progress: marking a gateway happens
/// after its commit. A failed publish (broker away) leaves the gateway marked and is retried; a lost
/// acknowledgement only costs a replay, which is acknowledged again as a duplicate. Once the hub has failed
/// (<see cref="HubFailure"/>) nothing is published any more, not even at shutdown: the ledger it would copy may no
/// longer match the store, and an acknowledgement withheld only costs a replay.
/// </remarks>
internal sealed class AckPublisher : BackgroundService
{
    private static readonly TimeSpan s_idleWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_drainWait = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan s_disconnectedWait = TimeSpan.FromMilliseconds(250);
    private readonly ConcurrentDictionary<string, Slot> _slots = new(StringComparer.Ordinal);
    private readonly Channel<bool> _wake = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });
    private readonly IngestLedger _ledger;
    private readonly HubMqttConnection _mqtt;
    private readonly HubMetrics _metrics;
    private readonly HubFailure _failure;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _interval;
    private readonly LogThrottle _throttle = new(TimeSpan.FromMinutes(1));
    private int _inFlight;

    /// <summary>Creates the publisher.</summary>
    /// <param name="ledger">Where the committed state of each gateway is.</param>
    /// <param name="mqtt">The connection.</param>
    /// <param name="metrics">The counters.</param>
    /// <param name="failure">Once it reports a failure, nothing more is acknowledged.</param>
    /// <param name="options">The <c>Ingest</c> section.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public AckPublisher(IngestLedger ledger, HubMqttConnection mqtt, HubMetrics metrics, HubFailure failure, IOptions<IngestOptions> options, TimeProvider timeProvider, ILogger<AckPublisher> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _ledger = ledger;
        _mqtt = mqtt;
        _metrics = metrics;
        _failure = failure;
        _time = timeProvider;
        _logger = logger;
        _interval = options.Value.AckInterval;
    }

    /// <summary>Gateways with an acknowledgement owed and not yet published.</summary>
    public int Owed => _slots.Values.Count(s => s.Dirty);

    /// <summary>Notes that a gateway is owed an acknowledgement (call after its commit).</summary>
    /// <param name="gateway">The gateway.</param>
    public void MarkDirty(GatewayAddress gateway)
    {
        var slot = _slots.GetOrAdd(gateway.GatewayId, static _ => new Slot());
        lock (slot)
        {
            slot.Dirty = true;
        }

        _wake.Writer.TryWrite(true);
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                var wait = _mqtt.Client.IsConnected ? PublishDue(force: false) : s_disconnectedWait;
                using var timer = new CancellationTokenSource(wait, _time);
                using var delay = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, timer.Token);
                try
                {
                    await _wake.Reader.WaitToReadAsync(delay.Token);
                    _wake.Reader.TryRead(out _);
                }
                catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
                {
                    // Time for a coalesced acknowledgement.
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }

        // The ingest stops before this service: whatever it committed last is still owed. Send it now, ignoring
        // the interval, and give the broker a moment to take it.
        var deadline = _time.GetUtcNow() + s_drainWait;
        do
        {
            if (_failure.HasFailed)
            {
                break;
            }

            PublishDue(force: true);
            if (Volatile.Read(ref _inFlight) == 0 && Owed == 0)
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), _time, CancellationToken.None);
        }
        while (_time.GetUtcNow() < deadline && _mqtt.Client.IsConnected);
    }

    // Starts every publish that is due and returns how long until the next one is.
    private TimeSpan PublishDue(bool force)
    {
        var now = _time.GetUtcNow();
        var next = s_idleWait;
        if (_failure.HasFailed)
        {
            return next;
        }

        foreach (var (gatewayId, slot) in _slots)
        {
            lock (slot)
            {
                if (!slot.Dirty || slot.InFlight)
                {
                    continue;
                }

                var due = slot.LastSent + _interval;
                if (!force && due > now)
                {
                    next = TimeSpan.FromTicks(Math.Min(next.Ticks, (due - now).Ticks));
                    continue;
                }

                slot.Dirty = false;
                slot.InFlight = true;
                slot.LastSent = now;
            }

            _ = PublishAsync(gatewayId, slot, now);
        }

        return next < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : next;
    }

    private async Task PublishAsync(string gatewayId, Slot slot, DateTimeOffset now)
    {
        Interlocked.Increment(ref _inFlight);
        var ok = false;
        try
        {
            var ledger = _ledger.Find(gatewayId);
            if (ledger is null || _failure.HasFailed)
            {
                ok = true;
                return;
            }

            var address = ledger.Address;
            var ack = ledger.SnapshotStored().ToAcknowledgement(gatewayId, now);
            var topic = TopicTemplate.ForGateway(MessageKind.Ack, address.Site, address.Area, gatewayId).ToTopic();
            await _mqtt.Client.PublishAsync(topic, ContractCodec.Encode(ack), MqttQos.AtLeastOnce, retain: false);
            _metrics.AckPublished();
            ok = true;
        }
        catch (Exception e) when (e is MqttException or ObjectDisposedException)
        {
            _metrics.AckPublishFailed();
            if (_throttle.ShouldLog(gatewayId, _time.GetUtcNow(), out var suppressed, out _))
            {
                Log.AckPublishFailed(_logger, gatewayId, e.Message, suppressed);
            }
        }
        finally
        {
            lock (slot)
            {
                slot.InFlight = false;
                if (!ok)
                {
                    slot.Dirty = true;
                }
            }

            Interlocked.Decrement(ref _inFlight);
            _wake.Writer.TryWrite(true);
        }
    }

    private sealed class Slot
    {
        public bool Dirty { get; set; }

        public bool InFlight { get; set; }

        public DateTimeOffset LastSent { get; set; } = DateTimeOffset.MinValue;
    }
}
