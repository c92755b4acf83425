using System.Text.Json;

namespace Edge.Contracts;

/// <summary>
/// The first, cheap pass over a payload: size, well-formedness and nesting depth, with a forward-only reader that
/// allocates nothing and never recurses, before any tree is built.
/// </summary>
internal static class JsonPreflight
{
    public static DecodeError? Check(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return new(DecodeErrorCode.EmptyPayload, "The payload is empty.", null);
        }

        if (utf8.Length > ContractLimits.MaxPayloadBytes)
        {
            return new(DecodeErrorCode.PayloadTooLarge,
                $"{utf8.Length} bytes is more than the limit of {ContractLimits.MaxPayloadBytes}.", null);
        }

        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });

        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray
                    && reader.CurrentDepth >= ContractLimits.MaxJsonDepth)
                {
                    return new(DecodeErrorCode.TooDeep,
                        $"Objects and arrays nest deeper than {ContractLimits.MaxJsonDepth} levels.", null);
                }
            }
        }
        catch (JsonException e)
        {
            if (StartsWithNonFiniteLiteral(utf8, (int)reader.BytesConsumed))
            {
                return new(DecodeErrorCode.NonFiniteNumber,
                    "NaN and Infinity are not numbers in JSON; send finite values only.", null);
            }

            return new(DecodeErrorCode.MalformedJson, e.Message, null);
        }

        return null;
    }

    /// <summary>
    /// Whether the bytes after <paramref name="offset"/> (past whitespace and punctuation) start with a non-finite
    /// literal as C's printf or other serializers write it: NaN, nan, -nan, Infinity, -inf, …
    /// </summary>
    private static bool StartsWithNonFiniteLiteral(ReadOnlySpan<byte> utf8, int offset)
    {
        var rest = utf8[Math.Min(offset, utf8.Length)..];
        rest = rest.TrimStart(" \t\r\n:,["u8);
        if (!rest.IsEmpty && rest[0] is (byte)'-' or (byte)'+')
        {
            rest = rest[1..];
        }

        return rest.Length >= 3
            && (System.Text.Ascii.EqualsIgnoreCase(rest[..3], "nan"u8) || System.Text.Ascii.EqualsIgnoreCase(rest[..3], "inf"u8));
    }
}
