using System.Collections.Concurrent;
using Edge.Hub.State;

namespace Edge.Hub.Ingest;

/// <summary>
/// What the hub knows, in memory, about each gateway's seqs: the settled state as of the last commit (stored, or
/// declared abandoned by the gateway), the seqs on their way to InfluxDB, and the highest seq the gateway has named. The consumer uses it to skip seqs already
/// stored or in flight before writing them; the commit is what decides, inside its transaction.
/// </summary>
/// <remarks>Thread-safe: each gateway's entry has its own lock.</remarks>
internal sealed class IngestLedger
{
    private readonly ConcurrentDictionary<string, GatewayLedger> _gateways = new(StringComparer.Ordinal);

    /// <summary>Every gateway with an entry.</summary>
    public IEnumerable<GatewayLedger> All => _gateways.Values;

    /// <summary>The entry of a gateway, created on first use.</summary>
    /// <param name="address">Its address; the latest one wins (acknowledgements go to the topic it last used).</param>
    /// <returns>The entry.</returns>
    public GatewayLedger Get(GatewayAddress address)
    {
        var ledger = _gateways.GetOrAdd(address.GatewayId, static (_, a) => new GatewayLedger(a), address);
        ledger.Address = address;
        return ledger;
    }

    /// <summary>The entry of a gateway if it has one.</summary>
    /// <param name="gatewayId">The gateway id.</param>
    /// <returns>The entry or <see langword="null"/>.</returns>
    public GatewayLedger? Find(string gatewayId) => _gateways.TryGetValue(gatewayId, out var l) ? l : null;

    /// <summary>Loads the states recorded in the store (at start).</summary>
    /// <param name="states">The states.</param>
    public void Load(IEnumerable<StoredAckState> states)
    {
        ArgumentNullException.ThrowIfNull(states);
        foreach (var s in states)
        {
            var ledger = Get(s.Gateway);
            ledger.Restore(s.Ack, s.HighestSeen, s.Abandonment);
        }
    }
}

/// <summary>One gateway's seqs in memory.</summary>
internal sealed class GatewayLedger
{
    private readonly Lock _gate = new();
    private readonly HashSet<long> _inFlight = [];
    private AckState _stored = new();
    private AbandonmentState _abandonment = AbandonmentState.None;
    private long _highestSeen;
    private GatewayAddress _address;

    /// <summary>Creates an empty entry.</summary>
    /// <param name="address">The gateway.</param>
    public GatewayLedger(GatewayAddress address)
    {
        _address = address;
    }

    /// <summary>The address it last published from.</summary>
    public GatewayAddress Address
    {
        get
        {
            lock (_gate)
            {
                return _address;
            }
        }

        set
        {
            lock (_gate)
            {
                _address = value;
            }
        }
    }

    /// <summary>The highest seq the gateway has named (readings, scans, or a birth/health high-water mark).</summary>
    public long HighestSeen
    {
        get
        {
            lock (_gate)
            {
                return _highestSeen;
            }
        }
    }

    /// <summary>Seqs written to InfluxDB or waiting for it, not yet committed.</summary>
    public int InFlightCount
    {
        get
        {
            lock (_gate)
            {
                return _inFlight.Count;
            }
        }
    }

    /// <summary>When seqs went missing below the highest stored one (cleared when the hole closes); for gap detection.</summary>
    public DateTimeOffset? MissingSince { get; set; }

    /// <summary>Whether the current gap has been reported.</summary>
    public bool GapReported { get; set; }

    /// <summary>A copy of the stored state as of the last commit.</summary>
    /// <returns>The copy.</returns>
    public AckState SnapshotStored()
    {
        lock (_gate)
        {
            return _stored.Clone();
        }
    }

    /// <summary>The gateway's abandoned seqs as of the last commit.</summary>
    /// <returns>Seqs settled without data (the set is a copy) and the totals.</returns>
    public AbandonmentState SnapshotAbandonment()
    {
        lock (_gate)
        {
            return _abandonment with { Outstanding = _abandonment.Outstanding.Clone() };
        }
    }

    /// <summary>Abandonment totals without copying the set.</summary>
    /// <returns>Seqs settled without data that may have held readings, never assigned, recovered later, and still without data.</returns>
    public (long Lost, long Unassigned, long Recovered, long Outstanding) AbandonmentFigures()
    {
        lock (_gate)
        {
            return (_abandonment.Lost, _abandonment.Unassigned, _abandonment.Recovered, _abandonment.Outstanding.Count);
        }
    }

    /// <summary>Stored-state figures without copying the ranges.</summary>
    /// <returns>Watermark, highest stored and seqs missing below it.</returns>
    public (long StoredThrough, long HighestStored, long Missing) Figures()
    {
        lock (_gate)
        {
            return (_stored.StoredThrough, _stored.HighestStored, _stored.MissingBelowHighest);
        }
    }

    /// <summary>Notes a seq the gateway named.</summary>
    /// <param name="seq">The seq.</param>
    public void Saw(long seq)
    {
        lock (_gate)
        {
            _highestSeen = Math.Max(_highestSeen, seq);
        }
    }

    /// <summary>
    /// Splits <paramref name="seqs"/> into those to write now (marked in flight) and duplicates (stored or already in
    /// flight). A seq the gateway declared abandoned is settled but holds no data: its first reading is written.
    /// </summary>
    /// <param name="seqs">The seqs of a message.</param>
    /// <param name="fresh">Receives, for each seq, whether it is to be written.</param>
    /// <returns>How many are duplicates.</returns>
    public int Claim(ReadOnlySpan<long> seqs, Span<bool> fresh)
    {
        var duplicates = 0;
        lock (_gate)
        {
            for (var i = 0; i < seqs.Length; i++)
            {
                var seq = seqs[i];
                _highestSeen = Math.Max(_highestSeen, seq);
                if ((_stored.Contains(seq) && !_abandonment.Outstanding.Contains(seq)) || !_inFlight.Add(seq))
                {
                    fresh[i] = false;
                    duplicates++;
                }
                else
                {
                    fresh[i] = true;
                }
            }
        }

        return duplicates;
    }

    /// <summary>Takes seqs out of flight (committed, or abandoned so a replay can bring them again).</summary>
    /// <param name="seqs">The seqs claimed earlier.</param>
    public void Release(IEnumerable<long> seqs)
    {
        lock (_gate)
        {
            foreach (var s in seqs)
            {
                _inFlight.Remove(s);
            }
        }
    }

    /// <summary>Takes in the state a commit produced.</summary>
    /// <param name="commit">The commit's outcome for this gateway.</param>
    public void Committed(GatewayCommit commit)
    {
        ArgumentNullException.ThrowIfNull(commit);
        lock (_gate)
        {
            // Another hub process on the same store may have committed more meanwhile; the commit's copy is the
            // freshest state there is, as it was read and written inside the transaction.
            _stored = commit.Ack;
            _abandonment = commit.Abandonment;
            _highestSeen = Math.Max(_highestSeen, commit.HighestSeen);
        }
    }

    internal void Restore(AckState stored, long highestSeen, AbandonmentState abandonment)
    {
        lock (_gate)
        {
            _stored = stored;
            _abandonment = abandonment;
            _highestSeen = Math.Max(_highestSeen, highestSeen);
        }
    }
}
