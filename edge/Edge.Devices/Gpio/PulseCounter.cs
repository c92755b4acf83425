using Edge.Contracts;

namespace Edge.Devices.Gpio;

/// <summary>The durable position of a pulse counter: the total of the last stored reading and its epoch.</summary>
/// <param name="Total">Pulses counted since the epoch began.</param>
/// <param name="Epoch">Starts at 0; the gateway increments it when the stored count was lost and counting restarts at 0.</param>
public readonly record struct PulseCountState(ulong Total, long Epoch);

/// <summary>One count to store: the total, the pulses since the previous stored record, and when.</summary>
/// <param name="Device">The counter's device id.</param>
/// <param name="Ts">When the count was taken, UTC.</param>
/// <param name="Total">Pulses since the epoch began (the reading's raw value, 64 bits wide).</param>
/// <param name="Delta">Pulses since the previous stored record.</param>
/// <param name="Epoch">The epoch.</param>
public sealed record PulseCountRecord(string Device, DateTimeOffset Ts, ulong Total, ulong Delta, long Epoch)
{
    /// <summary>The contract reading (a 64-bit counter that never wraps in practice).</summary>
    /// <param name="seq">The reading's sequence number.</param>
    /// <returns>The counter reading.</returns>
    public CounterReading ToReading(long seq) => new()
    {
        Seq = seq,
        Device = Device,
        Ts = Ts,
        Raw = Total,
        Delta = Delta,
        Epoch = Epoch,
        Width = 64,
    };
}

/// <summary>
/// Counts pulses from GPIO edge events with debounce on the kernel's timestamps, resumes from the last durably stored
/// total and detects edges the kernel dropped. Thread-safe: the edge reader counts while the flusher takes records.
/// </summary>
/// <remarks>
/// <para>Debounce: an edge closer than <see cref="PulseCounterOptions.Debounce"/> to the previous edge (of either kind,
/// counted or not) is bounce and ignored. The kernel's timestamps are used, not the time the event was read, so a
/// gateway busy for 50 ms cannot turn a burst of queued bounces into pulses.</para>
/// <para>Missed edges: libgpiod v1 does not report kernel FIFO overruns. With both edges watched, two accepted edges
/// of the same kind in a row mean the opposite edge between them was lost, and a timestamp earlier than the previous
/// one means the sequence is inconsistent; both are counted in <see cref="SuspectedMissedEdges"/>, never guessed into
/// the total. The comparison uses accepted edges only, so bounce that the kernel reports as two rising edges is not
/// mistaken for a miss.</para>
/// <para>Durability: the total lives in memory until a record carrying it is stored (see
/// <see cref="PulseCounterDriver"/>); <see cref="MarkStored"/> moves the stored mark, and deltas are always
/// total − stored, so a failed store is retried with the same pulses and nothing is counted twice.</para>
/// </remarks>
public sealed class PulseCounter
{
    private readonly PulseCounterOptions _options;
    private readonly long _debounceNs;
    private readonly Lock _lock = new();
    private ulong _total;
    private ulong _stored;
    private readonly long _epoch;
    private bool _hasEdge;
    private long _lastEdgeNs;
    private EdgeKind? _lastAcceptedKind;
    private long _debounced;
    private long _suspectedMissed;
    private long _edges;
    private long _possibleOverruns;

    /// <summary>Creates a counter.</summary>
    /// <param name="options">The options; validated here.</param>
    /// <param name="resumeFrom">The last durably stored state, or <see langword="null"/> to start at 0 in epoch 0.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public PulseCounter(PulseCounterOptions options, PulseCountState? resumeFrom)
    {
        ArgumentNullException.ThrowIfNull(options);
        DeviceConfigurationException.ThrowIfAny(options.Validate("PulseCounter"));
        _options = options;
        _debounceNs = options.Debounce.Ticks * 100;
        if (resumeFrom is { } state)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(state.Epoch, nameof(resumeFrom));
            _total = state.Total;
            _stored = state.Total;
            _epoch = state.Epoch;
        }
    }

    /// <summary>The device id.</summary>
    public string DeviceId => _options.DeviceId;

    /// <summary>Pulses counted since the epoch began, stored or not.</summary>
    public ulong Total
    {
        get
        {
            lock (_lock)
            {
                return _total;
            }
        }
    }

    /// <summary>The total of the last stored record.</summary>
    public ulong StoredTotal
    {
        get
        {
            lock (_lock)
            {
                return _stored;
            }
        }
    }

    /// <summary>The epoch.</summary>
    public long Epoch => _epoch;

    /// <summary>Edge events received.</summary>
    public long Edges => Interlocked.Read(ref _edges);

    /// <summary>Edges ignored as bounce.</summary>
    public long DebouncedEdges => Interlocked.Read(ref _debounced);

    /// <summary>Edges that seem to have been dropped before reaching the gateway (see remarks).</summary>
    public long SuspectedMissedEdges => Interlocked.Read(ref _suspectedMissed);

    /// <summary>Processes one edge event.</summary>
    /// <param name="edge">The event.</param>
    /// <returns><see langword="true"/> when it counted a pulse.</returns>
    public bool OnEdge(PulseEdge edge)
    {
        lock (_lock)
        {
            Interlocked.Increment(ref _edges);
            if (edge.Gap == EdgeGap.Possible)
            {
                Interlocked.Increment(ref _possibleOverruns);
            }

            // One suspicion per edge, whichever signs point to it. Within the debounce interval only time running
            // backwards counts: bounce alone explains two equal edges there, including the binding's "certain" gap.
            var backwards = _hasEdge && edge.TimestampNs < _lastEdgeNs;
            var quiet = !_hasEdge || edge.TimestampNs - _lastEdgeNs >= _debounceNs;
            _lastEdgeNs = _hasEdge ? Math.Max(_lastEdgeNs, edge.TimestampNs) : edge.TimestampNs;
            _hasEdge = true;
            if (!quiet)
            {
                if (backwards)
                {
                    Interlocked.Increment(ref _suspectedMissed);
                }

                Interlocked.Increment(ref _debounced);
                return false;
            }

            if (backwards || edge.Gap == EdgeGap.Certain || (_options.WatchBothEdges && _lastAcceptedKind == edge.Kind))
            {
                Interlocked.Increment(ref _suspectedMissed);
            }

            _lastAcceptedKind = edge.Kind;
            if (edge.Kind != _options.CountEdge)
            {
                return false;
            }

            _total++;
            return true;
        }
    }

    /// <summary>Edges after which the binding said events may have been lost (a full kernel queue); not proof of a loss.</summary>
    public long PossibleOverruns => Interlocked.Read(ref _possibleOverruns);

    /// <summary>Adds misses the binding could report itself (a kernel that reports overruns).</summary>
    /// <param name="count">How many events were lost.</param>
    public void ReportOverrun(long count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        Interlocked.Add(ref _suspectedMissed, count);
    }

    /// <summary>The record to store now: total and the pulses not yet in a stored record.</summary>
    /// <param name="timestamp">The record's time.</param>
    /// <returns>The record; its delta is 0 when nothing was counted since the last store.</returns>
    public PulseCountRecord TakeRecord(DateTimeOffset timestamp)
    {
        lock (_lock)
        {
            return new PulseCountRecord(_options.DeviceId, timestamp, _total, _total - _stored, _epoch);
        }
    }

    /// <summary>Marks a record as durably stored: later deltas count from its total.</summary>
    /// <param name="total">The stored record's total.</param>
    public void MarkStored(ulong total)
    {
        lock (_lock)
        {
            if (total > _total)
            {
                throw new ArgumentOutOfRangeException(nameof(total), total, "Cannot mark more than was counted.");
            }

            // Records may be acknowledged out of order; the mark only moves forward.
            _stored = Math.Max(_stored, total);
        }
    }
}
