using System.Collections.Concurrent;
using Edge.Contracts;

namespace Edge.Hub.Metrics;

/// <summary>
/// The hub's own figures, updated lock-free on the hot path and read by the Prometheus exposition
/// (<see cref="PrometheusExposition"/>) and by tests.
/// </summary>
internal sealed class HubMetrics
{
    private const int MaxReasonLabels = 64;
    private readonly long[] _messages = new long[Enum.GetValues<MessageKind>().Length];
    private readonly ConcurrentDictionary<string, long> _deadLetters = new(StringComparer.Ordinal);
    private long _readingsReceived;
    private long _readingsStored;
    private long _scansStored;
    private long _duplicates;
    private long _invalidMessages;
    private long _deadLetterPublishFailures;
    private long _acksPublished;
    private long _ackPublishFailures;
    private long _lagLastMicros;
    private long _lagSumMicros;
    private long _lagCount;
    private long _gapEvents;
    private long _seqRegressions;
    private long _commits;
    private long _commitMicros;
    private long _commitFailures;
    private long _abandoned;
    private long _seriesCollisions;

    /// <summary>Messages decoded, by kind.</summary>
    /// <param name="kind">The kind.</param>
    /// <returns>The count.</returns>
    public long Messages(MessageKind kind) => Interlocked.Read(ref _messages[(int)kind]);

    /// <summary>Payloads that failed decoding or checks.</summary>
    public long InvalidMessages => Interlocked.Read(ref _invalidMessages);

    /// <summary>Readings in decoded batches (duplicates included).</summary>
    public long ReadingsReceived => Interlocked.Read(ref _readingsReceived);

    /// <summary>Readings stored for the first time (InfluxDB plus state store; dead-lettered readings included).</summary>
    public long ReadingsStored => Interlocked.Read(ref _readingsStored);

    /// <summary>Scans stored for the first time.</summary>
    public long ScansStored => Interlocked.Read(ref _scansStored);

    /// <summary>Readings and scans dropped because their seq was already stored or in flight (acknowledged again).</summary>
    public long Duplicates => Interlocked.Read(ref _duplicates);

    /// <summary>Dead letters by reason.</summary>
    public IReadOnlyDictionary<string, long> DeadLetters => new Dictionary<string, long>(_deadLetters, StringComparer.Ordinal);

    /// <summary>Dead letters in all.</summary>
    public long DeadLetterTotal => _deadLetters.Values.Sum();

    /// <summary>Dead letters not published on the report topic (broker down).</summary>
    public long DeadLetterPublishFailures => Interlocked.Read(ref _deadLetterPublishFailures);

    /// <summary>Acknowledgements the broker accepted.</summary>
    public long AcksPublished => Interlocked.Read(ref _acksPublished);

    /// <summary>Acknowledgements that failed to publish (retried).</summary>
    public long AckPublishFailures => Interlocked.Read(ref _ackPublishFailures);

    /// <summary>The last ingest lag: receipt time minus the newest reading's timestamp, in seconds.</summary>
    public double LagLastSeconds => Interlocked.Read(ref _lagLastMicros) / 1e6;

    /// <summary>Sum of lags in seconds (for the average: divide by <see cref="LagCount"/>).</summary>
    public double LagSumSeconds => Interlocked.Read(ref _lagSumMicros) / 1e6;

    /// <summary>Lags measured.</summary>
    public long LagCount => Interlocked.Read(ref _lagCount);

    /// <summary>Gaps reported (seqs missing for longer than the grace period).</summary>
    public long GapEvents => Interlocked.Read(ref _gapEvents);

    /// <summary>Births whose high-water mark was below what is already stored (a gateway that lost its counter).</summary>
    public long SeqRegressions => Interlocked.Read(ref _seqRegressions);

    /// <summary>State-store commits.</summary>
    public long Commits => Interlocked.Read(ref _commits);

    /// <summary>Time spent committing, in seconds.</summary>
    public double CommitSeconds => Interlocked.Read(ref _commitMicros) / 1e6;

    /// <summary>Commits that failed (and were retried).</summary>
    public long CommitFailures => Interlocked.Read(ref _commitFailures);

    /// <summary>Messages abandoned unacknowledged because InfluxDB did not settle them before shutdown, or refused while a failed hub stops.</summary>
    public long Abandoned => Interlocked.Read(ref _abandoned);

    /// <summary>Counts a decoded message.</summary>
    /// <param name="kind">Its kind.</param>
    public void MessageDecoded(MessageKind kind) => Interlocked.Increment(ref _messages[(int)kind]);

    /// <summary>Counts readings received.</summary>
    /// <param name="count">How many.</param>
    public void ReadingsArrived(int count) => Interlocked.Add(ref _readingsReceived, count);

    /// <summary>Records the lag of a batch.</summary>
    /// <param name="lag">Receipt time minus its newest reading's timestamp.</param>
    public void Lag(TimeSpan lag)
    {
        var micros = (long)(lag.TotalMilliseconds * 1000);
        Interlocked.Exchange(ref _lagLastMicros, micros);
        Interlocked.Add(ref _lagSumMicros, micros);
        Interlocked.Increment(ref _lagCount);
    }

    /// <summary>Readings that share measurement, tags and timestamp with another of their batch (InfluxDB keeps one).</summary>
    public long SeriesCollisions => Interlocked.Read(ref _seriesCollisions);

    /// <summary>Counts readings that collide in InfluxDB.</summary>
    /// <param name="count">How many.</param>
    public void SeriesCollided(int count) => Interlocked.Add(ref _seriesCollisions, count);

    /// <summary>Counts what a commit stored.</summary>
    /// <param name="readings">New readings.</param>
    /// <param name="scans">New scans.</param>
    /// <param name="duplicates">Duplicates found.</param>
    public void Stored(long readings, long scans, long duplicates)
    {
        Interlocked.Add(ref _readingsStored, readings);
        Interlocked.Add(ref _scansStored, scans);
        Interlocked.Add(ref _duplicates, duplicates);
    }

    /// <summary>Counts a dead letter.</summary>
    /// <param name="reason">A short reason class: a decode error code, <c>influx</c> or <c>internal</c>.</param>
    /// <param name="invalidMessage">Whether it is a refused MQTT message (not an InfluxDB line).</param>
    public void DeadLettered(string reason, bool invalidMessage)
    {
        // The label set is bounded: decode error codes are an enum; anything else shares one label.
        var label = _deadLetters.Count < MaxReasonLabels || _deadLetters.ContainsKey(reason) ? reason : "other";
        _deadLetters.AddOrUpdate(label, 1, static (_, v) => v + 1);
        if (invalidMessage)
        {
            Interlocked.Increment(ref _invalidMessages);
        }
    }

    /// <summary>Counts a dead letter that could not be published on the report topic.</summary>
    public void DeadLetterPublishFailed() => Interlocked.Increment(ref _deadLetterPublishFailures);

    /// <summary>Counts an acknowledgement published.</summary>
    public void AckPublished() => Interlocked.Increment(ref _acksPublished);

    /// <summary>Counts an acknowledgement that failed.</summary>
    public void AckPublishFailed() => Interlocked.Increment(ref _ackPublishFailures);

    /// <summary>Counts a reported gap.</summary>
    public void GapReported() => Interlocked.Increment(ref _gapEvents);

    /// <summary>Counts a seq regression.</summary>
    public void SeqRegressed() => Interlocked.Increment(ref _seqRegressions);

    /// <summary>Records a commit.</summary>
    /// <param name="duration">How long it took.</param>
    public void Committed(TimeSpan duration)
    {
        Interlocked.Increment(ref _commits);
        Interlocked.Add(ref _commitMicros, (long)(duration.TotalMilliseconds * 1000));
    }

    /// <summary>Counts a failed commit.</summary>
    public void CommitFailed() => Interlocked.Increment(ref _commitFailures);

    /// <summary>Counts messages abandoned at shutdown.</summary>
    /// <param name="count">How many.</param>
    public void AbandonedAtShutdown(int count) => Interlocked.Add(ref _abandoned, count);
}
