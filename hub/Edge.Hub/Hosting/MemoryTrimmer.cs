using System.Runtime;

namespace Edge.Hub.Hosting;

/// <summary>
/// Gives memory back after a burst. The garbage collector only runs when something allocates, so after a flood
/// (a replayed backlog, a storm of garbage payloads) an idle hub would keep the flood's garbage, and the memory
/// committed for it, until traffic resumes. When at least <see cref="BurstBytes"/> were allocated since the last
/// trim and the last period was quiet, this runs one full compacting collection — a few milliseconds on the hub's
/// heap of tens of megabytes — so resident memory returns to its baseline on a machine it shares with the broker
/// and InfluxDB.
/// </summary>
internal sealed class MemoryTrimmer : BackgroundService
{
    /// <summary>Allocations since the last trim that make the next quiet period trim.</summary>
    public const long BurstBytes = 32L * 1024 * 1024;

    private const long QuietBytes = 1024 * 1024;
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(2);
    private readonly TimeProvider _time;
    private long _trims;

    /// <summary>Creates the service.</summary>
    /// <param name="timeProvider">The clock.</param>
    public MemoryTrimmer(TimeProvider timeProvider)
    {
        _time = timeProvider;
    }

    /// <summary>How many trims ran.</summary>
    public long Trims => Interlocked.Read(ref _trims);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_period, _time);
        var atTrim = GC.GetTotalAllocatedBytes();
        var atTick = atTrim;
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                var now = GC.GetTotalAllocatedBytes();
                var quiet = now - atTick < QuietBytes;
                atTick = now;
                if (quiet && now - atTrim >= BurstBytes)
                {
                    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
                    atTrim = atTick = GC.GetTotalAllocatedBytes();
                    Interlocked.Increment(ref _trims);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
