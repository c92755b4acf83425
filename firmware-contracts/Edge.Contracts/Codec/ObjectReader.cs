using System.Text;
using System.Text.Json;

namespace Edge.Contracts;

/// <summary>State of one decode: the clock and the first error found. After the first error every read is a no-op.</summary>
internal sealed class DecodeContext(DateTimeOffset now)
{
    public DateTimeOffset Now { get; } = now;

    public DecodeError? Error { get; private set; }

    public bool Failed => Error is not null;

    public void Fail(DecodeErrorCode code, string path, string reason) => Error ??= new DecodeError(code, reason, path);
}

/// <summary>
/// Reads the members of one JSON object with the contract's rules, recording the first violation with its path.
/// Each read returns a default value after a failure; callers check <see cref="Failed"/> before building a record,
/// so no half-filled record ever leaves the codec.
/// </summary>
internal readonly struct ObjectReader
{
    private readonly TapeValue _element;
    private readonly DecodeContext _context;
    private readonly string _parentPath;
    private readonly string? _arrayName;
    private readonly int _index;

    public ObjectReader(TapeValue element, string path, DecodeContext context)
        : this(element, context, path, null, 0)
    {
    }

    private ObjectReader(TapeValue element, DecodeContext context, string parentPath, string? arrayName, int index)
    {
        _element = element;
        _context = context;
        _parentPath = parentPath;
        _arrayName = arrayName;
        _index = index;
    }

    public bool Failed => _context.Failed;

    public DecodeContext Context => _context;

    /// <summary>The JSON path of this object, e.g. <c>$.readings[3]</c>; an array item's is built only when asked for (errors).</summary>
    public string Path => _arrayName is null ? _parentPath : $"{_parentPath}.{_arrayName}[{_index}]";

    public void Fail(DecodeErrorCode code, string? member, string reason) =>
        _context.Fail(code, member is null ? Path : Path + "." + member, reason);

    public string? String(string name, bool required, int maxLength)
    {
        if (!TryGetString(name, required, out var text))
        {
            return null;
        }

        if (text.Length == 0 || text.Length > maxLength)
        {
            Fail(DecodeErrorCode.StringTooLong, name, $"Must be 1 to {maxLength} characters, not {text.Length}.");
            return null;
        }

        return text;
    }

    /// <summary>A string member of any length, even empty; the caller judges it.</summary>
    public string? AnyString(string name, bool required) => TryGetString(name, required, out var text) ? text : null;

    public string Id(string name) => OptionalId(name, required: true) ?? string.Empty;

    public string? OptionalId(string name, bool required = false)
    {
        if (!TryGetString(name, required, out var text))
        {
            return null;
        }

        if (!ContractIds.IsValid(text))
        {
            Fail(DecodeErrorCode.InvalidId, name,
                $"'{Truncate(text)}' is not an id: use 1-{ContractLimits.MaxIdLength} characters of [A-Za-z0-9_.-].");
            return null;
        }

        return text;
    }

    public long Seq(string name, long min = 1) => Integer(name, min, ContractLimits.MaxSeq, DecodeErrorCode.InvalidSequence);

    public long Integer(string name, long min, long max, DecodeErrorCode rangeCode = DecodeErrorCode.OutOfRange) =>
        OptionalInteger(name, min, max, rangeCode, required: true) ?? 0;

    public long? OptionalInteger(string name, long min, long max, DecodeErrorCode rangeCode = DecodeErrorCode.OutOfRange, bool required = false)
    {
        if (!TryGetNumber(name, required, out var value))
        {
            return null;
        }

        if (!value.TryGetInt64(out var number))
        {
            FailNotInteger(name, value, rangeCode);
            return null;
        }

        if (number < min || number > max)
        {
            Fail(rangeCode, name, $"{number} is outside [{min}, {max}].");
            return null;
        }

        return number;
    }

    public ulong UnsignedInteger(string name, ulong max)
    {
        if (!TryGetNumber(name, required: true, out var value))
        {
            return 0;
        }

        if (!value.TryGetUInt64(out var number))
        {
            if (value.TryGetInt64(out var negative))
            {
                Fail(DecodeErrorCode.OutOfRange, name, $"{negative} is negative; must be >= 0.");
            }
            else
            {
                FailNotInteger(name, value, DecodeErrorCode.OutOfRange);
            }

            return 0;
        }

        if (number > max)
        {
            Fail(DecodeErrorCode.OutOfRange, name, $"{number} is more than {max}.");
            return 0;
        }

        return number;
    }

    public double Number(string name, double min, double max) => OptionalNumber(name, min, max, required: true) ?? 0;

    public double? OptionalNumber(string name, double min, double max, bool required = false)
    {
        if (!TryGetNumber(name, required, out var value))
        {
            return null;
        }

        // TryGetDouble only fails for numbers the JSON grammar allows but a double cannot hold; 1e400 parses as infinity.
        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            Fail(DecodeErrorCode.NonFiniteNumber, name, $"{value.GetRawText()} is not a finite double.");
            return null;
        }

        if (number < min || number > max)
        {
            Fail(DecodeErrorCode.OutOfRange, name, $"{number} is outside [{min}, {max}].");
            return null;
        }

        return number;
    }

    public bool Bool(string name)
    {
        if (!TryGetMember(name, required: true, out var value))
        {
            return false;
        }

        if (value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            FailWrongType(name, "a boolean", value);
            return false;
        }

        return value.GetBoolean();
    }

    public DateTimeOffset Timestamp(string name, bool checkFuture = true) =>
        OptionalTimestamp(name, checkFuture, required: true) ?? default;

    public DateTimeOffset? OptionalTimestamp(string name, bool checkFuture = true, bool required = false)
    {
        if (!TryGetMember(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            FailWrongType(name, "an ISO 8601 UTC timestamp string", value);
            return null;
        }

        var parsed = value.TryGetDateTimeOffset(out var timestamp);
        if (parsed && IsPlainUtc(PlainAscii(value), timestamp) && timestamp >= ContractLimits.MinTimestamp
            && (!checkFuture || timestamp <= _context.Now + ContractLimits.MaxFutureSkew))
        {
            // The common case, decided on the raw bytes without making a string of the text.
            return timestamp;
        }

        var text = value.GetString()!;
        switch (UtcTimestamp.Classify(text, parsed, timestamp))
        {
            case UtcTimestamp.ParseResult.Invalid:
                Fail(DecodeErrorCode.InvalidTimestamp, name, $"'{Truncate(text)}' is not an ISO 8601 date and time such as 2025-03-14T08:30:00Z.");
                return null;
            case UtcTimestamp.ParseResult.NotUtc:
                Fail(DecodeErrorCode.NotUtc, name, $"'{Truncate(text)}' is not UTC; write timestamps in UTC with 'Z'.");
                return null;
        }

        if (timestamp < ContractLimits.MinTimestamp)
        {
            Fail(DecodeErrorCode.OutOfRange, name, $"{text} is before {UtcTimestamp.Format(ContractLimits.MinTimestamp)}; the clock was not set.");
            return null;
        }

        if (checkFuture && timestamp > _context.Now + ContractLimits.MaxFutureSkew)
        {
            Fail(DecodeErrorCode.TimestampInFuture, name,
                $"{text} is more than {ContractLimits.MaxFutureSkew.TotalHours} h after the receiver's clock ({UtcTimestamp.Format(_context.Now)}).");
            return null;
        }

        return timestamp;
    }

    /// <summary>
    /// What <see cref="UtcTimestamp.Classify"/> calls <see cref="UtcTimestamp.ParseResult.Ok"/>, for text given as
    /// plain ASCII bytes (empty when it is not plain, which the caller then classifies as a string).
    /// </summary>
    private static bool IsPlainUtc(ReadOnlySpan<byte> text, DateTimeOffset value) =>
        text.Length >= 19 && text[10] == (byte)'T' && (text[^1] == (byte)'Z' || text.EndsWith("+00:00"u8)) && value.Offset == TimeSpan.Zero;

    public T Enum<T>(string name, WireEnum<T> names)
        where T : struct, Enum
    {
        if (!TryGetString(name, required: true, out var text))
        {
            return default;
        }

        if (!names.TryParse(text, out var value))
        {
            Fail(DecodeErrorCode.InvalidEnumValue, name, $"'{Truncate(text)}' is not one of {names.AllowedList}.");
            return default;
        }

        return value.Value;
    }

    /// <summary>Reads an array of objects, each through <paramref name="readItem"/>; null when absent or failed.</summary>
    public T[]? Array<T>(string name, bool required, int minItems, int maxItems, Func<ObjectReader, T?> readItem)
        where T : class
    {
        if (!TryGetMember(name, required, out var value))
        {
            return null;
        }

        if (value.ValueKind != JsonValueKind.Array)
        {
            FailWrongType(name, "an array", value);
            return null;
        }

        var count = value.GetArrayLength();
        if (count < minItems || count > maxItems)
        {
            Fail(DecodeErrorCode.TooManyItems, name, $"Has {count} items; must have {minItems} to {maxItems}.");
            return null;
        }

        var items = new T[count];
        var index = 0;
        var path = Path;
        foreach (var item in value.EnumerateArray())
        {
            var itemReader = new ObjectReader(item, _context, path, name, index);
            if (item.ValueKind != JsonValueKind.Object)
            {
                _context.Fail(DecodeErrorCode.WrongType, itemReader.Path, $"Must be an object, not {Describe(item)}.");
                return null;
            }

            var read = readItem(itemReader);
            if (read is null || _context.Failed)
            {
                return null;
            }

            items[index++] = read;
        }

        return items;
    }

    internal static bool IsNonFiniteText(string text)
    {
        var t = text.AsSpan().Trim().TrimStart("+-");
        return t.Equals("NaN", StringComparison.OrdinalIgnoreCase)
            || t.Equals("Infinity", StringComparison.OrdinalIgnoreCase)
            || t.Equals("Inf", StringComparison.OrdinalIgnoreCase);
    }

    private bool TryGetMember(string name, bool required, out TapeValue value)
    {
        value = default;
        if (_context.Failed)
        {
            return false;
        }

        if (!_element.TryGetProperty(name, out value))
        {
            if (required)
            {
                Fail(DecodeErrorCode.MissingField, name, $"'{name}' is required.");
            }

            return false;
        }

        if (value.ValueKind == JsonValueKind.Null)
        {
            Fail(DecodeErrorCode.WrongType, name, $"'{name}' is null; omit an optional member instead of writing null.");
            return false;
        }

        return true;
    }

    private bool TryGetString(string name, bool required, out string text)
    {
        text = string.Empty;
        if (!TryGetMember(name, required, out var value))
        {
            return false;
        }

        if (value.ValueKind != JsonValueKind.String)
        {
            FailWrongType(name, "a string", value);
            return false;
        }

        text = PlainAscii(value) is { Length: > 0 and <= Utf8StringCache.MaxLength } ascii ? Utf8StringCache.Get(ascii) : value.GetString()!;
        return true;
    }

    /// <summary>
    /// The bytes of a string value when they are its text as written — ASCII without escapes, the shape of every id,
    /// kind, enum name and timestamp — so they can be used without decoding; otherwise an empty span.
    /// </summary>
    private static ReadOnlySpan<byte> PlainAscii(TapeValue value)
    {
        var content = value.RawContent;
        return !value.IsEscaped && Ascii.IsValid(content) ? content : default;
    }

    private bool TryGetNumber(string name, bool required, out TapeValue value)
    {
        if (!TryGetMember(name, required, out value))
        {
            return false;
        }

        if (value.ValueKind == JsonValueKind.Number)
        {
            return true;
        }

        // "NaN" and "Infinity" as strings are what some serializers write for non-finite doubles.
        if (value.ValueKind == JsonValueKind.String && IsNonFiniteText(value.GetString()!))
        {
            Fail(DecodeErrorCode.NonFiniteNumber, name, $"{value.GetRawText()} is not a finite number.");
            return false;
        }

        FailWrongType(name, "a number", value);
        return false;
    }

    private void FailNotInteger(string name, TapeValue value, DecodeErrorCode rangeCode)
    {
        // An integer too large for 64 bits is a range problem; a fraction or exponent is a type problem.
        if (value.TryGetDouble(out var number) && (!double.IsFinite(number) || Math.Abs(number) >= 9.2e18))
        {
            Fail(rangeCode, name, $"{Truncate(value.GetRawText())} is out of range.");
        }
        else
        {
            Fail(DecodeErrorCode.WrongType, name, $"{Truncate(value.GetRawText())} is not an integer (no fraction or exponent).");
        }
    }

    private void FailWrongType(string name, string expected, TapeValue value) =>
        Fail(DecodeErrorCode.WrongType, name, $"Must be {expected}, not {Describe(value)}.");

    private static string Describe(TapeValue value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };

    private static string Truncate(string text) => text.Length <= 80 ? text : string.Concat(text.AsSpan(0, 77), "...");
}
