using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// The contract's timestamp text: RFC 3339 / ISO 8601 in UTC, e.g. <c>2025-03-14T08:30:00.25Z</c>.
/// Written with <c>Z</c> and only as many fraction digits as needed (up to 7); read with <c>Z</c> or <c>+00:00</c>.
/// </summary>
internal static class UtcTimestamp
{
    public enum ParseResult
    {
        Ok,
        Invalid,
        NotUtc,
    }

    public static string Format(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>
    /// Classifies a timestamp string that the JSON reader has already tried to parse as ISO 8601
    /// (<paramref name="parsed"/>, <paramref name="value"/>).
    /// </summary>
    public static ParseResult Classify(string text, bool parsed, DateTimeOffset value)
    {
        // The reader also accepts a bare date; the contract wants date and time.
        if (!parsed || text.Length < 19 || text[10] != 'T')
        {
            return ParseResult.Invalid;
        }

        // A time without offset is local time to the reader, and "-00:00" means "offset unknown" (RFC 3339):
        // the instant may look right on a UTC machine, but the contract says UTC, written as such.
        var utc = (text.EndsWith('Z') || text.EndsWith("+00:00", StringComparison.Ordinal)) && value.Offset == TimeSpan.Zero;
        return utc ? ParseResult.Ok : ParseResult.NotUtc;
    }
}

/// <summary>
/// Writes <see cref="DateTimeOffset"/> values as UTC with a <c>Z</c> suffix and reads only UTC values, for anyone
/// using <see cref="ContractJsonContext"/> directly instead of <see cref="ContractCodec"/>.
/// </summary>
public sealed class UtcTimestampConverter : JsonConverter<DateTimeOffset>
{
    /// <inheritdoc/>
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("A timestamp must be a JSON string.");
        }

        var text = reader.GetString()!;
        var parsed = reader.TryGetDateTimeOffset(out var value);
        return UtcTimestamp.Classify(text, parsed, value) switch
        {
            UtcTimestamp.ParseResult.Ok => value,
            UtcTimestamp.ParseResult.NotUtc => throw new JsonException($"Timestamp '{text}' is not UTC; write it with 'Z'."),
            _ => throw new JsonException($"'{text}' is not an ISO 8601 timestamp."),
        };
    }

    /// <inheritdoc/>
    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(UtcTimestamp.Format(value));
    }
}
