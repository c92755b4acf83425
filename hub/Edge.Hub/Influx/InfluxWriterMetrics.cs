using System.Diagnostics.Metrics;

namespace Edge.Hub.Influx;

/// <summary>
/// The writer's instruments on the meter <see cref="MeterName"/>, for the hub's /metrics, plus an in-process
/// snapshot of the same figures (with a p99 estimate of the write latency) for the status page and tests.
/// </summary>
internal sealed class InfluxWriterMetrics : IDisposable
{
    /// <summary>The meter name.</summary>
    public const string MeterName = "Edge.Hub.Influx";

    private readonly Meter _meter;
    private readonly bool _ownsMeter;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _requests;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _batches;
    private readonly Counter<long> _lines;
    private readonly Counter<long> _deadLetters;
    private readonly Counter<long> _splits;
    private readonly LatencyHistogram _latency = new();
    private long _requestCount;
    private long _retryCount;
    private long _batchCount;
    private long _lineCount;
    private long _deadLetterCount;
    private long _splitCount;

    /// <summary>Creates the instruments.</summary>
    /// <param name="meterFactory">The host's meter factory; without one the instance owns a meter of its own.</param>
    /// <param name="queuedLines">Reads the lines held (queued or in flight).</param>
    /// <param name="queuedBytes">Reads the bytes held.</param>
    /// <param name="alarm">Reads the current alarm.</param>
    public InfluxWriterMetrics(IMeterFactory? meterFactory, Func<long> queuedLines, Func<long> queuedBytes, Func<InfluxAlarm> alarm)
    {
        ArgumentNullException.ThrowIfNull(queuedLines);
        ArgumentNullException.ThrowIfNull(queuedBytes);
        ArgumentNullException.ThrowIfNull(alarm);
        _ownsMeter = meterFactory is null;
        _meter = meterFactory?.Create(MeterName) ?? new Meter(MeterName);
        _duration = _meter.CreateHistogram<double>("edge.hub.influx.write.duration", "s", "Duration of one write request to InfluxDB, answered or failed.");
        _requests = _meter.CreateCounter<long>("edge.hub.influx.requests", "{request}", "Write requests sent, by HTTP status or error.");
        _retries = _meter.CreateCounter<long>("edge.hub.influx.retries", "{retry}", "Requests repeated after a transient failure or while held, by reason.");
        _batches = _meter.CreateCounter<long>("edge.hub.influx.batches", "{batch}", "Requests InfluxDB answered with 204.");
        _lines = _meter.CreateCounter<long>("edge.hub.influx.lines.written", "{line}", "Lines InfluxDB stored.");
        _deadLetters = _meter.CreateCounter<long>("edge.hub.influx.dead_letters", "{line}", "Lines set aside as dead letters, by reason.");
        _splits = _meter.CreateCounter<long>("edge.hub.influx.batch.splits", "{split}", "Batches halved after 413 or to find a refused line.");
        _meter.CreateObservableGauge("edge.hub.influx.queue.lines", queuedLines, "{line}", "Lines held in memory: queued or in flight.");
        _meter.CreateObservableGauge("edge.hub.influx.queue.bytes", queuedBytes, "By", "Line-protocol bytes held in memory.");
        _meter.CreateObservableGauge("edge.hub.influx.alarm", () => (int)alarm(), "{alarm}", "0 none, 1 authentication failed (401/403), 2 database or retention policy missing.");
        _meter.CreateObservableGauge("edge.hub.influx.write.duration.p99", () => _latency.Percentile(0.99), "s", "Estimated 99th percentile of the write duration since start.");
    }

    /// <summary>The meter the instruments live on.</summary>
    public Meter Meter => _meter;

    /// <summary>Records one request and its duration.</summary>
    /// <param name="seconds">How long it took.</param>
    /// <param name="outcome">The HTTP status, or an error name such as <c>network</c> or <c>timeout</c>.</param>
    public void RecordRequest(double seconds, string outcome)
    {
        Interlocked.Increment(ref _requestCount);
        _latency.Record(seconds);
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _duration.Record(seconds, tag);
        _requests.Add(1, tag);
    }

    /// <summary>Records a retry.</summary>
    /// <param name="reason">The status or error that caused it.</param>
    public void RecordRetry(string reason)
    {
        Interlocked.Increment(ref _retryCount);
        _retries.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Records a request answered 2xx, which stored every line it carried.</summary>
    /// <param name="lines">How many lines it stored.</param>
    public void RecordWritten(int lines)
    {
        Interlocked.Increment(ref _batchCount);
        _batches.Add(1);
        Interlocked.Add(ref _lineCount, lines);
        _lines.Add(lines);
    }

    /// <summary>Records dead letters.</summary>
    /// <param name="count">How many lines.</param>
    /// <param name="reason">A short reason class: an HTTP status or <c>format</c>.</param>
    public void RecordDeadLetters(int count, string reason)
    {
        Interlocked.Add(ref _deadLetterCount, count);
        _deadLetters.Add(count, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>Records a batch split.</summary>
    /// <param name="reason"><c>413</c> or <c>bisect</c>.</param>
    public void RecordSplit(string reason)
    {
        Interlocked.Increment(ref _splitCount);
        _splits.Add(1, new KeyValuePair<string, object?>("reason", reason));
    }

    /// <summary>The figures so far.</summary>
    /// <param name="queuedLines">Lines held now.</param>
    /// <param name="queuedBytes">Bytes held now.</param>
    /// <returns>A snapshot.</returns>
    public InfluxWriterMetricsSnapshot Snapshot(long queuedLines, long queuedBytes) => new(
        Interlocked.Read(ref _requestCount),
        Interlocked.Read(ref _retryCount),
        Interlocked.Read(ref _batchCount),
        Interlocked.Read(ref _lineCount),
        Interlocked.Read(ref _deadLetterCount),
        Interlocked.Read(ref _splitCount),
        queuedLines,
        queuedBytes,
        _latency.Count,
        _latency.Sum,
        _latency.Percentile(0.99));

    /// <inheritdoc/>
    public void Dispose()
    {
        if (_ownsMeter)
        {
            _meter.Dispose();
        }
    }
}

/// <summary>The writer's figures at one moment.</summary>
/// <param name="Requests">Write requests sent.</param>
/// <param name="Retries">Requests repeated after a failure.</param>
/// <param name="Batches">Requests answered 204.</param>
/// <param name="LinesWritten">Lines stored.</param>
/// <param name="DeadLetters">Lines set aside.</param>
/// <param name="Splits">Batches halved.</param>
/// <param name="QueuedLines">Lines held now (queued or in flight).</param>
/// <param name="QueuedBytes">Bytes held now.</param>
/// <param name="LatencyCount">Requests timed.</param>
/// <param name="LatencySumSeconds">Their total duration.</param>
/// <param name="LatencyP99Seconds">Estimated 99th percentile of one request's duration.</param>
internal sealed record InfluxWriterMetricsSnapshot(
    long Requests,
    long Retries,
    long Batches,
    long LinesWritten,
    long DeadLetters,
    long Splits,
    long QueuedLines,
    long QueuedBytes,
    long LatencyCount,
    double LatencySumSeconds,
    double LatencyP99Seconds);

/// <summary>
/// A fixed-bucket latency histogram: 10 buckets per decade from 100 µs to 1000 s, lock-free, so a percentile is
/// estimated to within about 26 % (one bucket) without keeping samples.
/// </summary>
internal sealed class LatencyHistogram
{
    private const double Smallest = 1e-4;
    private const int BucketsPerDecade = 10;
    private const int Decades = 7;
    private readonly long[] _buckets = new long[(BucketsPerDecade * Decades) + 2];
    private long _count;
    private long _sumMicroseconds;

    /// <summary>How many values were recorded.</summary>
    public long Count => Interlocked.Read(ref _count);

    /// <summary>Their sum in seconds (to the microsecond).</summary>
    public double Sum => Interlocked.Read(ref _sumMicroseconds) / 1e6;

    /// <summary>Records one duration.</summary>
    /// <param name="seconds">The duration in seconds.</param>
    public void Record(double seconds)
    {
        if (!double.IsFinite(seconds) || seconds < 0)
        {
            seconds = 0;
        }

        Interlocked.Increment(ref _buckets[BucketOf(seconds)]);
        Interlocked.Increment(ref _count);
        Interlocked.Add(ref _sumMicroseconds, (long)(seconds * 1e6));
    }

    /// <summary>Estimates a percentile as the upper bound of the bucket that holds it.</summary>
    /// <param name="quantile">The quantile in (0, 1], e.g. 0.99.</param>
    /// <returns>The estimate in seconds; 0 when nothing was recorded.</returns>
    public double Percentile(double quantile)
    {
        var total = Count;
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(quantile * total);
        long seen = 0;
        for (var i = 0; i < _buckets.Length; i++)
        {
            seen += Interlocked.Read(ref _buckets[i]);
            if (seen >= rank)
            {
                return UpperBound(i);
            }
        }

        return UpperBound(_buckets.Length - 1);
    }

    private static int BucketOf(double seconds)
    {
        if (seconds <= Smallest)
        {
            return 0;
        }

        var index = (int)Math.Ceiling(Math.Log10(seconds / Smallest) * BucketsPerDecade);
        return Math.Clamp(index, 0, (BucketsPerDecade * Decades) + 1);
    }

    private static double UpperBound(int bucket) => Smallest * Math.Pow(10, bucket / (double)BucketsPerDecade);
}
