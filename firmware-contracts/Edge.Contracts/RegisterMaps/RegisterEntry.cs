using System.Text.Json.Serialization;

namespace Edge.Contracts.RegisterMaps;

/// <summary>One named value of a register map.</summary>
public sealed record RegisterEntry
{
    /// <summary>The entry's name, an id unique in the map (becomes the device's reading name on the gateway).</summary>
    public required string Name { get; init; }

    /// <summary>The Modbus table.</summary>
    public required RegisterTable Table { get; init; }

    /// <summary>The 0-based protocol address (what goes on the wire, not the 40001-style PLC notation).</summary>
    public required int Address { get; init; }

    /// <summary>The data type; <see cref="RegisterDataType.Bool"/> for coils and discrete inputs only.</summary>
    public required RegisterDataType DataType { get; init; }

    /// <summary>This entry's byte order; absent means the map's default.</summary>
    public ByteOrder? ByteOrder { get; init; }

    /// <summary>This entry's word order (32-bit types only); absent means the map's default.</summary>
    public WordOrder? WordOrder { get; init; }

    /// <summary>Multiplier from raw to engineering value (absent: 1). Counters are never scaled.</summary>
    public double? Scale { get; init; }

    /// <summary>Added after scaling (absent: 0): value = raw × scale + offset.</summary>
    public double? Offset { get; init; }

    /// <summary>The SI unit of the engineering value; required for analog entries.</summary>
    public string? Unit { get; init; }

    /// <summary>What the value means; decides the reading kind the gateway produces.</summary>
    public required RegisterMeaning Meaning { get; init; }

    /// <summary>For counters: the width in bits at which the PLC counter wraps (16 or 32, matching the data type).</summary>
    public int? CounterWidth { get; init; }

    /// <summary>For states: labels of raw values, e.g. 0 → <c>stop</c>, 1 → <c>run</c>.</summary>
    public IReadOnlyDictionary<int, string>? States { get; init; }

    /// <summary>A description for people.</summary>
    public string? Description { get; init; }

    /// <summary>How many registers (or bits) the entry occupies: 2 for 32-bit types, else 1.</summary>
    [JsonIgnore]
    public int RegisterCount => DataType is RegisterDataType.U32 or RegisterDataType.I32 or RegisterDataType.F32 ? 2 : 1;

    /// <summary>The scale in force: <see cref="Scale"/> or 1.</summary>
    [JsonIgnore]
    public double EffectiveScale => Scale ?? 1.0;

    /// <summary>The offset in force: <see cref="Offset"/> or 0.</summary>
    [JsonIgnore]
    public double EffectiveOffset => Offset ?? 0.0;

    /// <summary>Converts a raw value to the engineering value: raw × scale + offset.</summary>
    /// <param name="raw">The raw value, as from <see cref="RegisterMap.ReadRaw"/>.</param>
    /// <returns>The engineering value in <see cref="Unit"/>.</returns>
    public double ToEngineering(double raw) => (raw * EffectiveScale) + EffectiveOffset;

    /// <summary>The label of a state value, if the map defines one.</summary>
    /// <param name="value">The raw state value.</param>
    /// <returns>The label, or <see langword="null"/>.</returns>
    public string? LabelOf(int value) => States is not null && States.TryGetValue(value, out var label) ? label : null;
}
