using Edge.Hub.Ingest;
using Edge.Hub.Metrics;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Roster;

/// <summary>
/// Once a second: logs gateways that change presence (came online, went offline by Last Will or shutdown, fell
/// silent), and reports seqs missing below a gateway's highest stored seq for longer than
/// <see cref="IngestOptions.GapGrace"/> (usually a replay fills them first).
/// </summary>
internal sealed class RosterMonitor : BackgroundService
{
    private static readonly TimeSpan s_period = TimeSpan.FromSeconds(1);
    private readonly RosterTracker _roster;
    private readonly IngestLedger _ledger;
    private readonly HubMetrics _metrics;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TimeSpan _gapGrace;
    private readonly Dictionary<string, GatewayPresence> _last = new(StringComparer.Ordinal);

    /// <summary>Creates the monitor.</summary>
    /// <param name="roster">The roster.</param>
    /// <param name="ledger">The seqs in memory.</param>
    /// <param name="metrics">The counters.</param>
    /// <param name="options">The <c>Ingest</c> section (gap grace).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    public RosterMonitor(RosterTracker roster, IngestLedger ledger, HubMetrics metrics, IOptions<IngestOptions> options, TimeProvider timeProvider, ILogger<RosterMonitor> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _roster = roster;
        _ledger = ledger;
        _metrics = metrics;
        _time = timeProvider;
        _logger = logger;
        _gapGrace = options.Value.GapGrace;
    }

    /// <summary>Seqs missing for longer than the grace period, per gateway (for metrics and the API).</summary>
    /// <param name="ledger">The gateway's ledger.</param>
    /// <returns>The count, or 0 while within the grace period.</returns>
    public static long OpenGap(GatewayLedger ledger)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        return ledger.GapReported ? ledger.Figures().Missing : 0;
    }

    /// <summary>One pass (the timer's body; tests call it directly).</summary>
    public void Check()
    {
        var now = _time.GetUtcNow();
        foreach (var g in _roster.Snapshot(now))
        {
            var id = g.Gateway.GatewayId;
            if (_last.TryGetValue(id, out var before) && before == g.Presence)
            {
                continue;
            }

            _last[id] = g.Presence;
            switch (g.Presence)
            {
                case GatewayPresence.Online:
                    Log.GatewayOnline(_logger, id, g.BirthSession);
                    break;
                case GatewayPresence.Offline:
                    Log.GatewayOffline(_logger, id, g.DeathGraceful == true ? "clean shutdown" : "Last Will: connection lost", g.DiedAt);
                    break;
                case GatewayPresence.Stale:
                    Log.GatewayStale(_logger, id, g.LastSeenAt);
                    break;
                default:
                    break;
            }
        }

        foreach (var ledger in _ledger.All)
        {
            var (storedThrough, highest, missing) = ledger.Figures();
            if (missing == 0)
            {
                if (ledger.GapReported)
                {
                    Log.GapFilled(_logger, ledger.Address.GatewayId, storedThrough);
                }

                ledger.MissingSince = null;
                ledger.GapReported = false;
                continue;
            }

            ledger.MissingSince ??= now;
            if (!ledger.GapReported && now - ledger.MissingSince >= _gapGrace)
            {
                ledger.GapReported = true;
                _metrics.GapReported();
                Log.GapDetected(_logger, ledger.Address.GatewayId, missing, storedThrough, highest, _gapGrace);
            }
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(s_period, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                Check();
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}
