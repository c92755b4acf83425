using Edge.Contracts;

namespace Edge.Devices;

/// <summary>
/// The health of one device from its reads: last good read, error counts and a state of
/// <see cref="DeviceState.Ok"/>, <see cref="DeviceState.Degraded"/> or <see cref="DeviceState.Down"/>.
/// Thread-safe: drivers record, the gateway's health publisher evaluates.
/// </summary>
/// <remarks>
/// Rules, checked in this order at evaluation time:
/// down when <see cref="DeviceHealthOptions.DownAfterConsecutiveFailures"/> reads failed in a row or no good read
/// came for <see cref="DeviceHealthOptions.DownWhenStaleFor"/>; degraded when
/// <see cref="DeviceHealthOptions.DegradedAfterErrors"/> errors fell within
/// <see cref="DeviceHealthOptions.ErrorWindow"/> or no good read came for
/// <see cref="DeviceHealthOptions.DegradedWhenStaleFor"/>; ok otherwise. Before the first good read, staleness is
/// measured from the tracker's creation, so a device that never answers goes down rather than staying ok.
/// </remarks>
public sealed class DeviceHealthTracker
{
    private readonly DeviceHealthOptions _options;
    private readonly TimeProvider _time;
    private readonly DateTimeOffset _created;
    private readonly Lock _lock = new();

    // The most recent error times, as many as DegradedAfterErrors: the window holds enough errors exactly when the
    // oldest of these lies inside it. Bounded however many errors a broken device produces.
    private readonly DateTimeOffset[] _recentErrors;
    private int _recentNext;
    private int _recentCount;

    private DateTimeOffset? _lastGood;
    private long _errorCount;
    private long _successCount;
    private int _consecutiveFailures;
    private string? _lastError;
    private DeviceState? _lastReported;

    /// <summary>Creates a tracker.</summary>
    /// <param name="deviceId">The device id as configured.</param>
    /// <param name="options">The thresholds; validated here.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public DeviceHealthTracker(string deviceId, DeviceHealthOptions options, TimeProvider timeProvider)
    {
        ContractIds.ThrowIfInvalid(deviceId, nameof(deviceId));
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Health"));
        DeviceId = deviceId;
        _options = options;
        _time = timeProvider;
        _created = timeProvider.GetUtcNow();
        _recentErrors = new DateTimeOffset[options.DegradedAfterErrors];
    }

    /// <summary>The device id.</summary>
    public string DeviceId { get; }

    /// <summary>Records a good read now.</summary>
    public void RecordSuccess()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _lastGood = now;
            _successCount++;
            _consecutiveFailures = 0;
        }
    }

    /// <summary>Records a failed read (timeout, I/O error, garbled frame, decode failure) now.</summary>
    /// <param name="reason">A short text for people, e.g. the exception message; kept as the last error.</param>
    public void RecordFailure(string? reason)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            _errorCount++;
            if (_consecutiveFailures < int.MaxValue)
            {
                _consecutiveFailures++;
            }

            _recentErrors[_recentNext] = now;
            _recentNext = (_recentNext + 1) % _recentErrors.Length;
            _recentCount = Math.Min(_recentCount + 1, _recentErrors.Length);
            if (reason is not null)
            {
                _lastError = reason.Length > ContractLimits.MaxTextLength ? reason[..ContractLimits.MaxTextLength] : reason;
            }
        }
    }

    /// <summary>The health now.</summary>
    /// <returns>The snapshot.</returns>
    public DeviceHealthSnapshot GetSnapshot()
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            return Compute(now);
        }
    }

    /// <summary>
    /// The health now, and whether its state differs from the previous call of this method: the gateway publishes a
    /// <see cref="DeviceHealth"/> message when this returns <see langword="true"/> (the first call always does).
    /// </summary>
    /// <param name="snapshot">The health now.</param>
    /// <returns><see langword="true"/> when the state changed since the previous call.</returns>
    public bool TryGetTransition(out DeviceHealthSnapshot snapshot)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            snapshot = Compute(now);
            var changed = _lastReported != snapshot.State;
            _lastReported = snapshot.State;
            return changed;
        }
    }

    private DeviceHealthSnapshot Compute(DateTimeOffset now)
    {
        var staleFor = now - (_lastGood ?? _created);
        var errorsInWindow = 0;
        for (var i = 0; i < _recentCount; i++)
        {
            if (now - _recentErrors[i] <= _options.ErrorWindow)
            {
                errorsInWindow++;
            }
        }

        string? remark = null;
        DeviceState state;
        if (_consecutiveFailures >= _options.DownAfterConsecutiveFailures)
        {
            state = DeviceState.Down;
            remark = $"{_consecutiveFailures} consecutive failures";
        }
        else if (staleFor >= _options.DownWhenStaleFor)
        {
            state = DeviceState.Down;
            remark = _lastGood is null ? "no good read yet" : "no good read for " + FormatDuration(staleFor);
        }
        else if (errorsInWindow >= _options.DegradedAfterErrors)
        {
            state = DeviceState.Degraded;
            remark = $"{errorsInWindow} errors in the last {FormatDuration(_options.ErrorWindow)}";
        }
        else if (staleFor >= _options.DegradedWhenStaleFor)
        {
            state = DeviceState.Degraded;
            remark = _lastGood is null ? "no good read yet" : "no good read for " + FormatDuration(staleFor);
        }
        else
        {
            state = DeviceState.Ok;
        }

        var message = (remark, _lastError) switch
        {
            (null, _) => null,
            (_, null) => remark,
            _ => remark + "; last error: " + _lastError,
        };
        if (message is not null && message.Length > ContractLimits.MaxTextLength)
        {
            message = message[..ContractLimits.MaxTextLength];
        }

        return new DeviceHealthSnapshot(DeviceId, state, _lastGood, _errorCount, _successCount, _consecutiveFailures, errorsInWindow, message);
    }

    private static string FormatDuration(TimeSpan t) =>
        t.TotalSeconds < 120
            ? ((int)t.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture) + " s"
            : ((int)t.TotalMinutes).ToString(System.Globalization.CultureInfo.InvariantCulture) + " min";
}

/// <summary>The health of one device at one instant.</summary>
/// <param name="DeviceId">The device id.</param>
/// <param name="State">Ok, degraded or down.</param>
/// <param name="LastGoodReadAt">When the last good read happened; <see langword="null"/> if none since start.</param>
/// <param name="ErrorCount">Failed reads since start.</param>
/// <param name="SuccessCount">Good reads since start.</param>
/// <param name="ConsecutiveFailures">Failed reads since the last good one.</param>
/// <param name="ErrorsInWindow">Failed reads within the error window (capped at the degraded threshold).</param>
/// <param name="Message">Why the state is not ok, with the last error; <see langword="null"/> when ok.</param>
public sealed record DeviceHealthSnapshot(
    string DeviceId,
    DeviceState State,
    DateTimeOffset? LastGoodReadAt,
    long ErrorCount,
    long SuccessCount,
    int ConsecutiveFailures,
    int ErrorsInWindow,
    string? Message)
{
    /// <summary>The entry for a <see cref="GatewayBirth"/>.</summary>
    /// <returns>The device status.</returns>
    public DeviceStatus ToDeviceStatus() => new()
    {
        Device = DeviceId,
        State = State,
        LastGoodReadAt = LastGoodReadAt,
        ErrorCount = ErrorCount,
        Message = Message,
    };
}
