namespace Edge.Hub.Hosting;

/// <summary>
/// The way out for a fault the hub cannot work around (a bug, not a broker, InfluxDB or disk outage, which are
/// retried where they happen). The first report wins: it is logged once, <c>/readyz</c> turns not ready, nothing more
/// is acknowledged, and the host stops with <see cref="ExitSoftware"/>. systemd restarts a hub that exits non-zero
/// (<c>Restart=always</c>); the new one loads the committed state and the gateways replay whatever was not
/// acknowledged. Staying up would be worse: acknowledgements stop, yet the hub looks ready and the gateways'
/// outboxes fill up unnoticed.
/// </summary>
internal sealed class HubFailure
{
    /// <summary>sysexits(3) EX_SOFTWARE, "internal software error": restarted by the unit, unlike EX_CONFIG.</summary>
    public const int ExitSoftware = 70;

    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger _logger;
    private string? _reason;

    /// <summary>Creates the failure latch.</summary>
    /// <param name="lifetime">Stopped on the first failure.</param>
    /// <param name="logger">The logger.</param>
    public HubFailure(IHostApplicationLifetime lifetime, ILogger<HubFailure> logger)
    {
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Whether a failure was reported; from then on nothing may be acknowledged.</summary>
    public bool HasFailed => Volatile.Read(ref _reason) is not null;

    /// <summary>What failed, for <c>/readyz</c>; null while all is well.</summary>
    public string? Reason => Volatile.Read(ref _reason);

    /// <summary>
    /// The exit code the process must end with: <see cref="ExitSoftware"/> after a failure, else null. Returned by
    /// <see cref="HubApp.RunAsync"/> rather than set in <see cref="Environment.ExitCode"/>, which a hub run inside a
    /// test process would share with the test runner.
    /// </summary>
    public int? ExitCode => HasFailed ? ExitSoftware : null;

    /// <summary>Reports a fatal failure: marks the hub failed, logs it (the first time only) and stops the host.</summary>
    /// <param name="component">What failed, e.g. <c>the commit loop</c>.</param>
    /// <param name="exception">Why.</param>
    public void Fail(string component, Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);

        // Marked before anything else, so an acknowledgement about to go out sees it.
        var reason = $"{component} failed: {exception.GetType().Name}: {exception.Message}";
        if (Interlocked.CompareExchange(ref _reason, reason, null) is not null)
        {
            return;
        }

        Log.HubFailed(_logger, exception, component, ExitSoftware);
        _lifetime.StopApplication();
    }
}
