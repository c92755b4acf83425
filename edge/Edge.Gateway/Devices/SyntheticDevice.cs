using Edge.Contracts;
using Edge.Devices;
using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;

namespace Edge.Gateway.Devices;

/// <summary>
/// A device without hardware that produces counter readings at <c>RatePerSecond</c>, for tests and benchmarks of
/// the whole path (validation, outbox commit, batching, MQTT). Each reading's <c>ts</c> is the moment it was made,
/// so a subscriber measures latency from it; <c>raw</c> counts readings since this process started and
/// <c>epoch</c> is the process's start time, so a restart reads as a new epoch rather than a reset.
/// </summary>
/// <remarks>
/// Appends run concurrently (up to 1,024 in flight) so the rate is not bounded by one commit's latency; they share
/// the outbox's group commits. A refused reading's delta is carried into a later one.
/// </remarks>
internal sealed class SyntheticDevice : IGatewayDevice
{
    private const int MaxInFlight = 1024;
    private readonly DeviceOptions _options;
    private readonly ReadingSink _sink;
    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _slots = new(MaxInFlight, MaxInFlight);
    private readonly long _epoch;
    private long _raw;
    private long _carried;

    public SyntheticDevice(DeviceOptions options, ReadingSink sink, TimeProvider time)
    {
        _options = options;
        _sink = sink;
        _time = time;
        _epoch = time.GetUtcNow().ToUnixTimeMilliseconds();
        Health = new DeviceHealthTracker(options.Id, new DeviceHealthOptions(), time);
    }

    public string Id => _options.Id;

    public DeviceHealthTracker Health { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var started = _time.GetTimestamp();
        long produced = 0;
        var tick = TimeSpan.FromMilliseconds(Math.Clamp(1000 / _options.RatePerSecond, 1, 100));
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var due = (long)(_time.GetElapsedTime(started).TotalSeconds * _options.RatePerSecond);
                while (produced < due)
                {
                    await _slots.WaitAsync(cancellationToken);
                    produced++;
                    _ = ProduceOneAsync(cancellationToken);
                }

                await Task.Delay(tick, _time, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        // Let appends already handed to the outbox finish, so a clean stop leaves no caller waiting.
        for (var i = 0; i < MaxInFlight; i++)
        {
            await _slots.WaitAsync(CancellationToken.None);
        }
    }

    private async Task ProduceOneAsync(CancellationToken cancellationToken)
    {
        try
        {
            var raw = (ulong)Interlocked.Increment(ref _raw);
            var carried = Interlocked.Exchange(ref _carried, 0);
            var reading = new CounterReading
            {
                Seq = 1,
                Device = Id,
                Channel = "count",
                Ts = _time.GetUtcNow(),
                Raw = raw,
                Delta = 1 + (ulong)carried,
                Epoch = _epoch,
                Width = 64,
            };
            var result = await _sink.AcceptAsync(reading, cancellationToken);
            if (result.Accepted)
            {
                Health.RecordSuccess();
            }
            else
            {
                Interlocked.Add(ref _carried, 1 + carried);
                Health.RecordFailure("reading " + result.Outcome.ToString().ToLowerInvariant());
            }
        }
        catch (OperationCanceledException)
        {
            // Stopping before the append was queued.
        }
        finally
        {
            _slots.Release();
        }
    }

    public ValueTask DisposeAsync()
    {
        _slots.Dispose();
        return ValueTask.CompletedTask;
    }
}
