using System.Buffers;
using System.Globalization;
using System.Text;

namespace Edge.Hub.Influx;

/// <summary>
/// Formats points as InfluxDB 1.x line protocol, refusing what the format cannot carry rather than writing
/// something InfluxDB would read back differently.
/// </summary>
/// <remarks>
/// <para>Escaping (as influxd 1.6 parses it, checked against the real server in the tests):
/// measurement — comma and space; tag keys, tag values, field keys — comma, equals sign and space; string field
/// values — double quote and backslash, inside double quotes.</para>
/// <para>A backslash in a name, tag or field key is literal unless it precedes a character that is escaped; influxd
/// has no escape for the backslash itself there, so a run of backslashes directly before a comma, equals sign, space
/// or the end of the text cannot be written unambiguously and is refused.</para>
/// <para>Timestamps are written in nanoseconds (<see cref="Precision"/>): the 100 ns tick of the reading's
/// <see cref="DateTimeOffset"/> times 100. That keeps every digit a gateway sent, whatever its clock resolution, and
/// maps the same reading to the same integer on every replay, so InfluxDB overwrites the point instead of adding one.</para>
/// </remarks>
internal static class LineProtocol
{
    /// <summary>The <c>precision</c> query parameter every write uses.</summary>
    public const string Precision = "ns";

    // influxd 1.x accepts [MinInt64 + 2, MaxInt64 - 1] ns (models.MinNanoTime / MaxNanoTime).
    private const long MinNanoseconds = long.MinValue + 2;
    private const long MaxNanoseconds = long.MaxValue - 1;

    private static readonly SearchValues<char> s_special = SearchValues.Create(", =\\\n\r");
    private static readonly SearchValues<char> s_stringSpecial = SearchValues.Create("\"\\\n\r");

    [ThreadStatic]
    private static StringBuilder? t_builder;

    [ThreadStatic]
    private static Encoder? t_encoder;

    [ThreadStatic]
    private static KeyValuePair<string, string>[]? t_tags;

    [ThreadStatic]
    private static KeyValuePair<string, InfluxFieldValue>[]? t_fields;

    private enum NameKind
    {
        Measurement,
        TagKey,
        TagValue,
        FieldKey,
    }

    /// <summary>Formats one point as one line, without the trailing line feed.</summary>
    /// <param name="point">The point.</param>
    /// <returns>The line.</returns>
    /// <exception cref="LineProtocolException">The point cannot be written as line protocol.</exception>
    public static string Format(InfluxPoint point)
    {
        var sb = t_builder ??= new StringBuilder(256);
        sb.Clear();
        try
        {
            Append(sb, point);
            return sb.ToString();
        }
        finally
        {
            if (sb.Capacity > 64 * 1024)
            {
                t_builder = null;
            }
        }
    }

    /// <summary>Formats one point as one UTF-8 line, without the trailing line feed.</summary>
    /// <param name="point">The point.</param>
    /// <returns>The line's UTF-8 bytes.</returns>
    /// <exception cref="LineProtocolException">The point cannot be written as line protocol.</exception>
    public static byte[] FormatUtf8(InfluxPoint point)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        FormatUtf8(point, buffer);
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>Formats one point as one UTF-8 line, without the trailing line feed, into <paramref name="destination"/>.</summary>
    /// <param name="point">The point.</param>
    /// <param name="destination">Where the bytes go; nothing is written when the point is refused.</param>
    /// <exception cref="LineProtocolException">The point cannot be written as line protocol.</exception>
    public static void FormatUtf8(InfluxPoint point, IBufferWriter<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        var sb = t_builder ??= new StringBuilder(256);
        sb.Clear();
        Append(sb, point);

        // Encode straight from the builder's chunks (no intermediate string); the encoder carries a surrogate pair
        // split across two chunks.
        var encoder = t_encoder ??= new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false).GetEncoder();
        encoder.Reset();
        var count = 0;
        foreach (var chunk in sb.GetChunks())
        {
            count += encoder.GetByteCount(chunk.Span, flush: false);
        }

        count += encoder.GetByteCount([], flush: true);
        encoder.Reset();
        var bytes = destination.GetSpan(count)[..count];
        var written = 0;
        foreach (var chunk in sb.GetChunks())
        {
            written += encoder.GetBytes(chunk.Span, bytes[written..], flush: false);
        }

        encoder.GetBytes([], bytes[written..], flush: true);
        destination.Advance(count);
        if (sb.Capacity > 64 * 1024)
        {
            t_builder = null;
        }
    }

    /// <summary>Appends one point as one line, without the trailing line feed.</summary>
    /// <param name="sb">The builder.</param>
    /// <param name="point">The point.</param>
    /// <exception cref="LineProtocolException">The point cannot be written as line protocol.</exception>
    public static void Append(StringBuilder sb, InfluxPoint point)
    {
        ArgumentNullException.ThrowIfNull(sb);
        ArgumentNullException.ThrowIfNull(point);

        var measurement = point.Measurement;
        if (string.IsNullOrEmpty(measurement))
        {
            throw new LineProtocolException("The measurement name is empty.");
        }

        // A line that starts with '#' is a comment to influxd: the point would vanish without an error.
        if (measurement[0] == '#')
        {
            throw new LineProtocolException($"The measurement name '{Printable(measurement)}' starts with '#', which makes the line a comment.");
        }

        AppendName(sb, measurement, NameKind.Measurement, null);

        if (point.Tags.Count > 0)
        {
            var tags = SortedTags(point.Tags);
            foreach (var tag in tags)
            {
                if (string.IsNullOrEmpty(tag.Value))
                {
                    continue;
                }

                CheckKey(tag.Key, "tag key");
                sb.Append(',');
                AppendName(sb, tag.Key, NameKind.TagKey, null);
                sb.Append('=');
                AppendName(sb, tag.Value, NameKind.TagValue, tag.Key);
            }
        }

        if (point.Fields is null || point.Fields.Count == 0)
        {
            throw new LineProtocolException($"The point of measurement '{Printable(measurement)}' has no fields.");
        }

        var separator = ' ';
        foreach (var field in SortedFields(point.Fields))
        {
            CheckKey(field.Key, "field key");
            sb.Append(separator);
            separator = ',';
            AppendName(sb, field.Key, NameKind.FieldKey, null);
            sb.Append('=');
            AppendFieldValue(sb, field.Key, field.Value);
        }

        sb.Append(' ');
        sb.Append(ToUnixNanoseconds(point.Timestamp));
    }

    /// <summary>
    /// Whether <paramref name="value"/>, as a measurement, tag key, tag value or field key, is written exactly as it is:
    /// not empty and nothing to escape or refuse. Lets a caller format such values without this class.
    /// </summary>
    /// <param name="value">The text.</param>
    /// <returns><see langword="true"/> when it goes into a line unchanged.</returns>
    public static bool IsPlainName(string? value) => !string.IsNullOrEmpty(value) && value.AsSpan().IndexOfAny(s_special) < 0;

    /// <summary>Whether a string field value goes into a line unchanged between its quotes (nothing to escape or refuse).</summary>
    /// <param name="value">The text.</param>
    /// <returns><see langword="true"/> when it needs no escaping.</returns>
    public static bool IsPlainString(string value) => value.AsSpan().IndexOfAny(s_stringSpecial) < 0;

    /// <summary>The timestamp as nanoseconds since the Unix epoch, when InfluxDB can store it (see <see cref="ToUnixNanoseconds"/>).</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <param name="nanoseconds">Nanoseconds since 1970-01-01T00:00:00Z.</param>
    /// <returns><see langword="false"/> when it is outside 1677–2262.</returns>
    public static bool TryToUnixNanoseconds(DateTimeOffset timestamp, out long nanoseconds)
    {
        var ticks = timestamp.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        if (ticks > MaxNanoseconds / 100 || ticks < MinNanoseconds / 100)
        {
            nanoseconds = 0;
            return false;
        }

        nanoseconds = ticks * 100;
        return true;
    }

    /// <summary>The timestamp as nanoseconds since the Unix epoch, exactly (100 ns ticks × 100).</summary>
    /// <param name="timestamp">The timestamp.</param>
    /// <returns>Nanoseconds since 1970-01-01T00:00:00Z.</returns>
    /// <exception cref="LineProtocolException">The timestamp is outside what InfluxDB can store (1677–2262).</exception>
    public static long ToUnixNanoseconds(DateTimeOffset timestamp) =>
        TryToUnixNanoseconds(timestamp, out var nanoseconds)
            ? nanoseconds
            : throw new LineProtocolException($"The timestamp {timestamp:O} is outside the range InfluxDB can store (1677-09-21 to 2262-04-11).");

    /// <summary>Formats a float the way line protocol wants it: invariant culture, shortest text that round-trips.</summary>
    /// <param name="value">The value.</param>
    /// <returns>The text, e.g. <c>0.1</c>, <c>-0</c>, <c>1E+20</c>.</returns>
    /// <exception cref="LineProtocolException">NaN or an infinity, which InfluxDB cannot store.</exception>
    public static string FormatFloat(double value)
    {
        if (!double.IsFinite(value))
        {
            throw new LineProtocolException($"The float {value.ToString(CultureInfo.InvariantCulture)} cannot be stored: InfluxDB has no NaN or infinity.");
        }

        // "R" is the shortest round-trip form since .NET Core 3.0; Go's ParseFloat (influxd) reads its exponent form.
        return value.ToString("R", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// A best-effort text of a point that could not be formatted, for the dead-letter record: the same shape as a
    /// line, without validation, control characters shown as escapes.
    /// </summary>
    /// <param name="point">The point.</param>
    /// <returns>A readable single-line description.</returns>
    public static string Describe(InfluxPoint point)
    {
        ArgumentNullException.ThrowIfNull(point);
        var sb = new StringBuilder();
        sb.Append(Printable(point.Measurement ?? string.Empty));
        foreach (var tag in point.Tags ?? new Dictionary<string, string>())
        {
            sb.Append(',').Append(Printable(tag.Key)).Append('=').Append(Printable(tag.Value ?? string.Empty));
        }

        var separator = ' ';
        foreach (var field in point.Fields ?? new Dictionary<string, InfluxFieldValue>())
        {
            sb.Append(separator).Append(Printable(field.Key)).Append('=');
            separator = ',';
            var v = field.Value;
            sb.Append(v.Kind switch
            {
                InfluxFieldKind.Float => v.FloatValue.ToString("R", CultureInfo.InvariantCulture),
                InfluxFieldKind.Integer => v.IntegerValue.ToString(CultureInfo.InvariantCulture) + "i",
                InfluxFieldKind.UnsignedInteger => v.UnsignedValue.ToString(CultureInfo.InvariantCulture) + "u",
                InfluxFieldKind.Boolean => v.BooleanValue ? "true" : "false",
                _ => "\"" + Printable(v.StringValue) + "\"",
            });
        }

        sb.Append(' ').Append(point.Timestamp.ToString("O", CultureInfo.InvariantCulture));
        return sb.ToString();
    }

    private static void AppendFieldValue(StringBuilder sb, string key, InfluxFieldValue value)
    {
        switch (value.Kind)
        {
            case InfluxFieldKind.Float:
                if (!double.IsFinite(value.FloatValue))
                {
                    throw new LineProtocolException($"Field '{Printable(key)}' is {value.FloatValue.ToString(CultureInfo.InvariantCulture)}: InfluxDB has no NaN or infinity.");
                }

                Span<char> buffer = stackalloc char[32];
                if (value.FloatValue.TryFormat(buffer, out var written, "R", CultureInfo.InvariantCulture))
                {
                    sb.Append(buffer[..written]);
                }
                else
                {
                    sb.Append(value.FloatValue.ToString("R", CultureInfo.InvariantCulture));
                }

                break;
            case InfluxFieldKind.Integer:
                sb.Append(value.IntegerValue).Append('i');
                break;
            case InfluxFieldKind.UnsignedInteger:
                // InfluxDB 1.x writes no unsigned type (the 'u' suffix needs 1.8 with a flag): keep one field type.
                if (value.UnsignedValue > long.MaxValue)
                {
                    throw new LineProtocolException($"Field '{Printable(key)}' is {value.UnsignedValue.ToString(CultureInfo.InvariantCulture)}, above the largest integer InfluxDB 1.x stores (2^63 - 1).");
                }

                sb.Append(value.IntegerValue).Append('i');
                break;
            case InfluxFieldKind.Boolean:
                sb.Append(value.BooleanValue ? "true" : "false");
                break;
            case InfluxFieldKind.String:
                AppendStringField(sb, key, value.StringValue);
                break;
            default:
                throw new LineProtocolException($"Field '{Printable(key)}' has an unknown type.");
        }
    }

    private static void AppendStringField(StringBuilder sb, string key, string value)
    {
        sb.Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"' or '\\':
                    sb.Append('\\').Append(c);
                    break;
                case '\n' or '\r':
                    throw new LineProtocolException($"The string of field '{Printable(key)}' contains a line break, which line protocol cannot carry: '{Printable(value)}'.");
                default:
                    sb.Append(c);
                    break;
            }
        }

        sb.Append('"');
    }

    private static void CheckKey(string key, string what)
    {
        // influxd 1.x drops a point with a tag or field named "time" (it is the timestamp column in InfluxQL).
        if (key == "time")
        {
            throw new LineProtocolException($"A {what} may not be 'time': influxd refuses it.");
        }
    }

    private static void AppendName(StringBuilder sb, string value, NameKind kind, string? tagKey)
    {
        if (string.IsNullOrEmpty(value))
        {
            throw new LineProtocolException($"The {Describe(kind, tagKey)} is empty.");
        }

        // Most names are plain ids: nothing to escape or refuse.
        if (value.AsSpan().IndexOfAny(s_special) < 0)
        {
            sb.Append(value);
            return;
        }

        // Measurements need no escaped '=' (influxd reads it literally there).
        var escapeEquals = kind != NameKind.Measurement;

        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            switch (c)
            {
                case ',' or ' ':
                    sb.Append('\\').Append(c);
                    break;
                case '=':
                    if (escapeEquals)
                    {
                        sb.Append('\\');
                    }

                    sb.Append(c);
                    break;
                case '\n' or '\r':
                    throw new LineProtocolException($"The {Describe(kind, tagKey)} '{Printable(value)}' contains a line break, which line protocol cannot carry.");
                case '\\':
                    var end = i;
                    while (end < value.Length && value[end] == '\\')
                    {
                        end++;
                    }

                    if (end == value.Length || value[end] is ',' or '=' or ' ')
                    {
                        throw new LineProtocolException($"The {Describe(kind, tagKey)} '{Printable(value)}' has a backslash before '{(end == value.Length ? "the end" : value[end].ToString())}', which influxd 1.x cannot read back unambiguously.");
                    }

                    sb.Append(value, i, end - i);
                    i = end - 1;
                    break;
                default:
                    sb.Append(c);
                    break;
            }
        }
    }

    private static string Describe(NameKind kind, string? tagKey) => kind switch
    {
        NameKind.Measurement => "measurement name",
        NameKind.TagKey => "tag key",
        NameKind.TagValue => $"value of tag '{Printable(tagKey ?? string.Empty)}'",
        _ => "field key",
    };

    // Sorted keys give one text per point (stable dead letters and test output) and spare influxd the sort. Points
    // have a handful of tags and fields, so an insertion sort into a per-thread buffer beats LINQ and its allocations.
    private static ReadOnlySpan<KeyValuePair<string, string>> SortedTags(IReadOnlyDictionary<string, string> items) =>
        Sort(items, ref t_tags);

    private static ReadOnlySpan<KeyValuePair<string, InfluxFieldValue>> SortedFields(IReadOnlyDictionary<string, InfluxFieldValue> items) =>
        Sort(items, ref t_fields);

    private static ReadOnlySpan<KeyValuePair<string, T>> Sort<T>(IReadOnlyDictionary<string, T> items, ref KeyValuePair<string, T>[]? buffer)
    {
        var count = items.Count;
        if (buffer is null || buffer.Length < count)
        {
            buffer = new KeyValuePair<string, T>[Math.Max(8, count)];
        }

        var n = 0;
        if (items is Dictionary<string, T> dictionary)
        {
            // The struct enumerator: no boxing per point on the hot path.
            foreach (var item in dictionary)
            {
                Insert(buffer, ref n, item);
            }
        }
        else
        {
            foreach (var item in items)
            {
                Insert(buffer, ref n, item);
            }
        }

        return buffer.AsSpan(0, n);
    }

    private static void Insert<T>(KeyValuePair<string, T>[] buffer, ref int n, KeyValuePair<string, T> item)
    {
        var j = n++;
        while (j > 0 && string.CompareOrdinal(buffer[j - 1].Key, item.Key) > 0)
        {
            buffer[j] = buffer[j - 1];
            j--;
        }

        buffer[j] = item;
    }

    internal static string Printable(string text)
    {
        if (text.AsSpan().IndexOfAny('\n', '\r') < 0)
        {
            return text;
        }

        return text.Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);
    }
}

/// <summary>A point that line protocol cannot carry (the message says which part and why).</summary>
internal sealed class LineProtocolException : FormatException
{
    /// <summary>Creates the exception.</summary>
    public LineProtocolException()
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What cannot be written, and why.</param>
    public LineProtocolException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception.</summary>
    /// <param name="message">What cannot be written, and why.</param>
    /// <param name="innerException">The cause.</param>
    public LineProtocolException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
