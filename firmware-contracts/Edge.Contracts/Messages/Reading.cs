using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// One reading of one device. The JSON member <c>kind</c> selects the body:
/// <c>weight</c>, <c>counter</c>, <c>analog</c> or <c>state</c>.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = DiscriminatorName,
    UnknownDerivedTypeHandling = JsonUnknownDerivedTypeHandling.FailSerialization)]
[JsonDerivedType(typeof(WeightReading), WeightKind)]
[JsonDerivedType(typeof(CounterReading), CounterKind)]
[JsonDerivedType(typeof(AnalogReading), AnalogKind)]
[JsonDerivedType(typeof(StateReading), StateKind)]
public abstract record Reading
{
    /// <summary>The JSON member that names the reading kind.</summary>
    public const string DiscriminatorName = "kind";

    /// <summary>Discriminator of <see cref="WeightReading"/>.</summary>
    public const string WeightKind = "weight";

    /// <summary>Discriminator of <see cref="CounterReading"/>.</summary>
    public const string CounterKind = "counter";

    /// <summary>Discriminator of <see cref="AnalogReading"/>.</summary>
    public const string AnalogKind = "analog";

    /// <summary>Discriminator of <see cref="StateReading"/>.</summary>
    public const string StateKind = "state";

    /// <summary>The reading's own sequence number from the gateway's counter: the idempotency key with the gateway id.</summary>
    [JsonPropertyOrder(-10)]
    public required long Seq { get; init; }

    /// <summary>The device id as configured on the gateway.</summary>
    [JsonPropertyOrder(-9)]
    public required string Device { get; init; }

    /// <summary>
    /// Which value of the device, when it has several: for a PLC the register-map entry name (e.g.
    /// <c>bale_count</c>); absent for single-value devices such as a scale.
    /// </summary>
    [JsonPropertyOrder(-8)]
    public string? Channel { get; init; }

    /// <summary>When the value was measured, UTC.</summary>
    [JsonPropertyOrder(-7)]
    public required DateTimeOffset Ts { get; init; }
}

/// <summary>A weight from a scale indicator (<c>kind: "weight"</c>), in kilograms.</summary>
public sealed record WeightReading : Reading
{
    /// <summary>The weight in kg; absent when the indicator is not <see cref="IndicatorStatus.Ok"/> and shows no number.</summary>
    public double? ValueKg { get; init; }

    /// <summary>Whether the gateway judged the weight stable (its own settling rule over several samples).</summary>
    public required bool Stable { get; init; }

    /// <summary>The indicator's own motion flag as sent by the instrument.</summary>
    public required bool Motion { get; init; }

    /// <summary>Whether the value is gross or net of the indicator's tare.</summary>
    public required WeightMode Mode { get; init; }

    /// <summary>The indicator's status.</summary>
    public required IndicatorStatus Status { get; init; }

    /// <summary>The tare held by the indicator in kg, when the indicator reports it (net mode).</summary>
    public double? TareKg { get; init; }
}

/// <summary>A counter value (<c>kind: "counter"</c>), e.g. bales or rejects counted by a PLC.</summary>
public sealed record CounterReading : Reading
{
    /// <summary>The raw counter value as read, 0 ≤ raw &lt; 2^width.</summary>
    public required ulong Raw { get; init; }

    /// <summary>The increase since the previous reading of this device, wrap-around already resolved by the gateway.</summary>
    public required ulong Delta { get; init; }

    /// <summary>Starts at 0 and increases each time the counter went backwards other than by wrapping (e.g. a PLC reset).</summary>
    public required long Epoch { get; init; }

    /// <summary>The counter's width in bits: 16, 32 or 64; it wraps from 2^width − 1 to 0.</summary>
    public required int Width { get; init; }
}

/// <summary>An analog value with its unit (<c>kind: "analog"</c>), e.g. hydraulic pressure in kPa.</summary>
public sealed record AnalogReading : Reading
{
    /// <summary>The value in <see cref="Unit"/>.</summary>
    public required double Value { get; init; }

    /// <summary>The SI unit symbol (kg, s, kPa, A, V, °C, m, m3, …).</summary>
    public required string Unit { get; init; }
}

/// <summary>A discrete state (<c>kind: "state"</c>), e.g. a line's run/stop state.</summary>
public sealed record StateReading : Reading
{
    /// <summary>The state as an integer, as the device reports it.</summary>
    public required int Value { get; init; }

    /// <summary>The state's label from the register map (e.g. <c>run</c>, <c>stop</c>), when one is defined.</summary>
    public string? Label { get; init; }
}
