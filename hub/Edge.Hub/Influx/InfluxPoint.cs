namespace Edge.Hub.Influx;

/// <summary>
/// One point for InfluxDB: a measurement, its tags, its fields and the timestamp of the reading it came from.
/// Neutral on purpose: the writer knows nothing about readings; <see cref="InfluxSchema"/> maps contract messages
/// to points.
/// </summary>
/// <remarks>
/// The timestamp is always the reading's own. A point without one would get the server's clock, and a replay of the
/// same reading would then become a second point instead of overwriting the first.
/// </remarks>
internal sealed record InfluxPoint
{
    private static readonly IReadOnlyDictionary<string, string> s_noTags = new Dictionary<string, string>(0);

    /// <summary>The measurement name.</summary>
    public required string Measurement { get; init; }

    /// <summary>
    /// Tags: indexed, part of the series key. Keep them low-cardinality (ids of things, never sequence numbers or
    /// codes). A tag with an empty value is left out, as InfluxDB has no empty tag values.
    /// </summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = s_noTags;

    /// <summary>Fields: the values, at least one.</summary>
    public required IReadOnlyDictionary<string, InfluxFieldValue> Fields { get; init; }

    /// <summary>When the value was measured (the reading's own timestamp, kept to the 100 ns tick).</summary>
    public required DateTimeOffset Timestamp { get; init; }
}

/// <summary>The type of an <see cref="InfluxFieldValue"/>; InfluxDB fixes a field's type per shard.</summary>
internal enum InfluxFieldKind
{
    /// <summary>A 64-bit float.</summary>
    Float,

    /// <summary>A signed 64-bit integer (line protocol suffix <c>i</c>).</summary>
    Integer,

    /// <summary>An unsigned value written as a signed integer; one above <see cref="long.MaxValue"/> cannot be written.</summary>
    UnsignedInteger,

    /// <summary>A boolean.</summary>
    Boolean,

    /// <summary>A string.</summary>
    String,
}

/// <summary>A field value of one of the types line protocol has.</summary>
/// <remarks>
/// Construction never throws: a value line protocol cannot carry (NaN, an infinity, an unsigned value above
/// <see cref="long.MaxValue"/>, a string with a line break) is refused when the point is formatted, and the writer
/// turns that refusal into a dead letter instead of losing the reading.
/// </remarks>
internal readonly record struct InfluxFieldValue
{
    private readonly double _float;
    private readonly long _integer;
    private readonly string? _string;

    private InfluxFieldValue(InfluxFieldKind kind, double f, long i, string? s)
    {
        Kind = kind;
        _float = f;
        _integer = i;
        _string = s;
    }

    /// <summary>The value's type.</summary>
    public InfluxFieldKind Kind { get; }

    /// <summary>The float value (valid when <see cref="Kind"/> is <see cref="InfluxFieldKind.Float"/>).</summary>
    public double FloatValue => _float;

    /// <summary>The integer value (valid for <see cref="InfluxFieldKind.Integer"/>; for booleans 1 or 0).</summary>
    public long IntegerValue => _integer;

    /// <summary>The unsigned value (valid when <see cref="Kind"/> is <see cref="InfluxFieldKind.UnsignedInteger"/>).</summary>
    public ulong UnsignedValue => unchecked((ulong)_integer);

    /// <summary>The boolean value (valid when <see cref="Kind"/> is <see cref="InfluxFieldKind.Boolean"/>).</summary>
    public bool BooleanValue => _integer != 0;

    /// <summary>The string value (valid when <see cref="Kind"/> is <see cref="InfluxFieldKind.String"/>).</summary>
    public string StringValue => _string ?? string.Empty;

    /// <summary>A float field.</summary>
    /// <param name="value">The value; NaN and infinities are refused at formatting.</param>
    /// <returns>The field value.</returns>
    public static InfluxFieldValue Float(double value) => new(InfluxFieldKind.Float, value, 0, null);

    /// <summary>An integer field.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The field value.</returns>
    public static InfluxFieldValue Integer(long value) => new(InfluxFieldKind.Integer, 0, value, null);

    /// <summary>
    /// An unsigned value stored as an integer field (InfluxDB 1.x has no unsigned type); values above
    /// <see cref="long.MaxValue"/> are refused at formatting.
    /// </summary>
    /// <param name="value">The value.</param>
    /// <returns>The field value.</returns>
    public static InfluxFieldValue Unsigned(ulong value) => new(InfluxFieldKind.UnsignedInteger, 0, unchecked((long)value), null);

    /// <summary>A boolean field.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The field value.</returns>
    public static InfluxFieldValue Boolean(bool value) => new(InfluxFieldKind.Boolean, 0, value ? 1 : 0, null);

    /// <summary>A string field.</summary>
    /// <param name="value">The value; line breaks are refused at formatting.</param>
    /// <returns>The field value.</returns>
    public static InfluxFieldValue String(string value) => new(InfluxFieldKind.String, 0, 0, value ?? string.Empty);
}
