namespace Edge.Devices.Plc;

/// <summary>What a point reports, which decides its report-by-exception rule.</summary>
public enum ReportRule
{
    /// <summary>An analog value: reported when it moved by at least the deadband.</summary>
    Deadband,

    /// <summary>A discrete state: reported on any change.</summary>
    AnyChange,

    /// <summary>A counter: reported when its delta is above 0.</summary>
    PositiveDelta,
}

/// <summary>
/// Report-by-exception for one point, with a heartbeat: a value is reported when it changed enough (per
/// <see cref="ReportRule"/>) or when the last report is at least <see cref="Heartbeat"/> old, so the hub sees every point
/// at least that often even when nothing changes. The first value is always reported. Not thread-safe.
/// </summary>
public sealed class ReportFilter
{
    private bool _hasReported;
    private double _lastValue;
    private DateTimeOffset _lastReportAt;

    /// <summary>Creates the filter.</summary>
    /// <param name="rule">The rule.</param>
    /// <param name="deadband">For <see cref="ReportRule.Deadband"/>: the least change reported (≥ 0; 0 reports every change).</param>
    /// <param name="heartbeat">The longest time without a report (&gt; 0).</param>
    public ReportFilter(ReportRule rule, double deadband, TimeSpan heartbeat)
    {
        if (!Enum.IsDefined(rule))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown rule.");
        }

        if (!double.IsFinite(deadband) || deadband < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(deadband), deadband, "Must be a finite number ≥ 0.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(heartbeat, TimeSpan.Zero);
        Rule = rule;
        Deadband = deadband;
        Heartbeat = heartbeat;
    }

    /// <summary>The rule.</summary>
    public ReportRule Rule { get; }

    /// <summary>The deadband of <see cref="ReportRule.Deadband"/>.</summary>
    public double Deadband { get; }

    /// <summary>The heartbeat interval.</summary>
    public TimeSpan Heartbeat { get; }

    /// <summary>Decides whether to report and, if so, remembers the value as the last reported one.</summary>
    /// <param name="value">The analog value, the state, or for counters the delta.</param>
    /// <param name="now">When the value was read.</param>
    /// <returns><see langword="true"/> to report.</returns>
    public bool ShouldReport(double value, DateTimeOffset now)
    {
        bool report;
        if (!_hasReported || now - _lastReportAt >= Heartbeat)
        {
            report = true;
        }
        else
        {
            report = Rule switch
            {
                // The deadband is measured from the last REPORTED value, not the last read one: a slow drift of
                // sub-deadband steps is still reported once it adds up.
                ReportRule.Deadband => Math.Abs(value - _lastValue) >= Deadband && value != _lastValue,
                ReportRule.AnyChange => value != _lastValue,
                _ => value > 0,
            };
        }

        if (report)
        {
            _hasReported = true;
            _lastValue = value;
            _lastReportAt = now;
        }

        return report;
    }
}
