using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Systemd;

/// <summary>
/// Pings systemd's watchdog at half of <c>WATCHDOG_USEC</c>, as sd_watchdog_enabled(3) recommends. The ping comes from
/// a timer on the thread pool, so a process whose thread pool is starved or deadlocked stops pinging and systemd
/// restarts it; the ping also waits for the gateway's own liveness probe (the outbox writer answering).
/// </summary>
internal sealed partial class SystemdWatchdogService : BackgroundService
{
    private readonly SystemdNotifier _notifier;
    private readonly GatewayLiveness _liveness;
    private readonly TimeProvider _time;
    private readonly ILogger<SystemdWatchdogService> _logger;

    public SystemdWatchdogService(SystemdNotifier notifier, GatewayLiveness liveness, TimeProvider time, ILogger<SystemdWatchdogService> logger)
    {
        _notifier = notifier;
        _liveness = liveness;
        _time = time;
        _logger = logger;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_notifier.WatchdogInterval is not { } interval || !_notifier.IsEnabled)
        {
            return;
        }

        var period = interval / 2;
        Log.WatchdogEnabled(_logger, (long)interval.TotalMilliseconds, (long)period.TotalMilliseconds);
        using var timer = new PeriodicTimer(period, _time);
        try
        {
            do
            {
                if (await _liveness.IsAliveAsync(period, stoppingToken))
                {
                    _notifier.NotifyWatchdog();
                }
                else
                {
                    Log.WatchdogWithheld(_logger, _liveness.LastProblem ?? "unknown");
                }
            }
            while (await timer.WaitForNextTickAsync(stoppingToken));
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }
}

/// <summary>What the watchdog asks before it pings: the gateway's outbox writer still answers.</summary>
internal sealed class GatewayLiveness
{
    private Func<CancellationToken, Task>? _probe;

    /// <summary>Why the last probe failed.</summary>
    public string? LastProblem { get; private set; }

    /// <summary>Sets the probe (the gateway does once its outbox is open).</summary>
    public void SetProbe(Func<CancellationToken, Task> probe) => _probe = probe;

    public async Task<bool> IsAliveAsync(TimeSpan within, CancellationToken cancellationToken)
    {
        var probe = _probe;
        if (probe is null)
        {
            return true;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(within);
        try
        {
            await probe(cts.Token);
            LastProblem = null;
            return true;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            LastProblem = "the outbox did not answer within " + within;
            return false;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LastProblem = ex.Message;
            return false;
        }
    }
}
