using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>One weight report of a scale indicator, normalised to kilograms.</summary>
/// <remarks>
/// Parsers fill everything but <see cref="Stable"/>, which the driver sets from its <see cref="StabilityDetector"/>.
/// <see cref="WeightKg"/> is <see langword="null"/> when the indicator shows no number (overload, underload).
/// </remarks>
public readonly record struct ScaleSample
{
    /// <summary>When the frame was received, UTC.</summary>
    public required DateTimeOffset Timestamp { get; init; }

    /// <summary>The displayed weight in kg (gross or net per <see cref="Mode"/>); <see langword="null"/> when none is shown.</summary>
    public double? WeightKg { get; init; }

    /// <summary>The indicator's own motion flag; <see langword="false"/> for protocols that carry none.</summary>
    public bool Motion { get; init; }

    /// <summary>Whether the gateway judged the weight stable (several samples within a band for a time).</summary>
    public bool Stable { get; init; }

    /// <summary>Gross or net of the indicator's tare.</summary>
    public WeightMode Mode { get; init; }

    /// <summary>Ok, overload, underload, zero error or fault.</summary>
    public IndicatorStatus Status { get; init; }

    /// <summary>The tare held by the indicator in kg, when the protocol reports one.</summary>
    public double? TareKg { get; init; }

    /// <summary>
    /// Whether the indicator flags centre of zero; for protocols without that flag, whether a gross weight is
    /// exactly 0.
    /// </summary>
    public bool CenterOfZero { get; init; }

    /// <summary>The display increment (scale division) in kg, when the protocol reports it.</summary>
    public double? IncrementKg { get; init; }

    /// <summary>Whether this sample carries a usable weight: status ok and a number shown.</summary>
    public bool HasWeight => Status == IndicatorStatus.Ok && WeightKg is not null;

    /// <summary>The contract reading for this sample.</summary>
    /// <param name="seq">The reading's sequence number from the gateway's counter.</param>
    /// <param name="device">The scale's device id.</param>
    /// <returns>The weight reading.</returns>
    public WeightReading ToReading(long seq, string device) => new()
    {
        Seq = seq,
        Device = device,
        Ts = Timestamp,
        ValueKg = WeightKg,
        Stable = Stable,
        Motion = Motion,
        Mode = Mode,
        Status = Status,
        TareKg = TareKg,
    };
}
