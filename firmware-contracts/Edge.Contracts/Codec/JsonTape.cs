using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Edge.Contracts;

/// <summary>
/// A payload parsed into a flat list of its JSON values ("a tape"), in one forward pass of a
/// <see cref="Utf8JsonReader"/> that also makes the payload-wide checks: size, well-formedness, nesting depth and
/// duplicate members. The readers then look members up on the tape; values are converted only when asked for, by
/// the same parsers <see cref="JsonElement"/> uses, so a tape answers exactly as a <see cref="JsonDocument"/> would.
/// </summary>
/// <remarks>
/// <para>One pass instead of three (a checking pass, <see cref="JsonDocument"/>'s parse, its duplicate-member walk)
/// and no tree objects: decoding is the hub's largest cost per reading.</para>
/// <para>Checks run in document order, like the reader that finds them; a duplicate member is reported only when
/// the whole payload is otherwise well formed, as the document parser ran only after the checking pass did.</para>
/// <para>Not thread-safe, and reused: <see cref="Parse"/> hands out the calling thread's tape, valid until that
/// thread parses again.</para>
/// </remarks>
internal sealed class JsonTape
{
    // Tapes of hostile payloads (a megabyte of "[1,1,1,…]") are not kept for the next message.
    private const int KeptTokens = 4096;
    private const int KeptBytes = 64 * 1024;

    [ThreadStatic]
    private static JsonTape? t_tape;

    private Token[] _tokens = new Token[256];
    private byte[] _names = new byte[256];
    private byte[] _utf8 = [];
    private int _length;
    private int _count;
    private int _namesLength;
    private int _cursorObject = -1;
    private int _cursorNext;

    private JsonTape()
    {
    }

    /// <summary>The root value.</summary>
    public TapeValue Root => new(this, 0);

    /// <summary>
    /// Parses a payload onto the calling thread's tape, or says why it cannot be decoded at all: empty, too large,
    /// not JSON, nested deeper than <see cref="ContractLimits.MaxJsonDepth"/>, or with a member twice in one object.
    /// </summary>
    /// <param name="utf8">The payload (byte order mark already removed).</param>
    /// <param name="tape">The tape, when the payload is well formed.</param>
    /// <returns>The error, or <see langword="null"/>.</returns>
    public static DecodeError? Parse(ReadOnlySpan<byte> utf8, out JsonTape? tape)
    {
        tape = null;
        if (utf8.IsEmpty)
        {
            return new(DecodeErrorCode.EmptyPayload, "The payload is empty.", null);
        }

        if (utf8.Length > ContractLimits.MaxPayloadBytes)
        {
            return new(DecodeErrorCode.PayloadTooLarge,
                $"{utf8.Length} bytes is more than the limit of {ContractLimits.MaxPayloadBytes}.", null);
        }

        var t = t_tape ??= new JsonTape();
        t.Reset(utf8);
        var error = t.Build();
        if (error is not null)
        {
            t.Release();
            return error;
        }

        tape = t;
        return null;
    }

    /// <summary>Gives back the payload copy once the message is built (the tape is unusable until the next parse).</summary>
    public void Release()
    {
        if (_utf8.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_utf8);
            _utf8 = [];
        }

        if (_tokens.Length > KeptTokens)
        {
            _tokens = new Token[256];
        }

        if (_names.Length > KeptBytes)
        {
            _names = new byte[256];
        }
    }

    internal JsonValueKind Kind(int index) => _tokens[index].Kind;

    internal int End(int index) => _tokens[index].End;

    internal int Count(int index) => _tokens[index].Count;

    internal ReadOnlySpan<byte> Raw(int index) => _utf8.AsSpan(_tokens[index].Start, _tokens[index].Length);

    internal bool IsEscaped(int index) => _tokens[index].Escaped;

    /// <summary>The member <paramref name="name"/> of the object at <paramref name="index"/>, by its unescaped name.</summary>
    internal int FindMember(int index, string name)
    {
        var end = _tokens[index].End;
        var first = index + 1;

        // Readers mostly ask for members in the order they were written: start after the last one found.
        var start = _cursorObject == index && _cursorNext < end ? _cursorNext : first;
        for (var pass = 0; pass < 2; pass++)
        {
            var stop = pass == 0 ? end : start;
            for (var i = pass == 0 ? start : first; i < stop; i = _tokens[i + 1].End)
            {
                if (NameEquals(i, name))
                {
                    _cursorObject = index;
                    _cursorNext = _tokens[i + 1].End;
                    return i + 1;
                }
            }

            if (start == first)
            {
                break;
            }
        }

        return -1;
    }

    /// <summary>A string or a number as the reader sees it: a reader positioned on just that value.</summary>
    internal Utf8JsonReader ReaderAt(int index)
    {
        var reader = new Utf8JsonReader(Raw(index));
        reader.Read();
        return reader;
    }

    private void Reset(ReadOnlySpan<byte> utf8)
    {
        _utf8 = ArrayPool<byte>.Shared.Rent(utf8.Length);
        utf8.CopyTo(_utf8);
        _length = utf8.Length;
        _count = 0;
        _namesLength = 0;
        _cursorObject = -1;
    }

    private DecodeError? Build()
    {
        var reader = new Utf8JsonReader(_utf8.AsSpan(0, _length), new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Disallow,
            AllowTrailingCommas = false,
        });
        Span<int> open = stackalloc int[ContractLimits.MaxJsonDepth + 1];
        var depth = 0;
        string? duplicate = null;
        try
        {
            while (reader.Read())
            {
                var type = reader.TokenType;
                if (type is JsonTokenType.EndObject or JsonTokenType.EndArray)
                {
                    _tokens[open[--depth]].End = _count;
                    continue;
                }

                if (type is JsonTokenType.StartObject or JsonTokenType.StartArray
                    && reader.CurrentDepth >= ContractLimits.MaxJsonDepth)
                {
                    return new(DecodeErrorCode.TooDeep,
                        $"Objects and arrays nest deeper than {ContractLimits.MaxJsonDepth} levels.", null);
                }

                if (depth > 0 && type != JsonTokenType.PropertyName && _tokens[open[depth - 1]].Kind == JsonValueKind.Array)
                {
                    _tokens[open[depth - 1]].Count++;
                }

                var index = Add(ref reader, type);
                switch (type)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open[depth++] = index;
                        break;
                    case JsonTokenType.PropertyName:
                        _tokens[open[depth - 1]].Count++;
                        duplicate ??= FindDuplicate(open[depth - 1], index);
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            if (StartsWithNonFiniteLiteral(_utf8.AsSpan(0, _length), (int)reader.BytesConsumed))
            {
                return new(DecodeErrorCode.NonFiniteNumber,
                    "NaN and Infinity are not numbers in JSON; send finite values only.", null);
            }

            return new(DecodeErrorCode.MalformedJson, e.Message, null);
        }

        return duplicate is null ? null : new(DecodeErrorCode.DuplicateProperty, $"The member '{duplicate}' appears twice in one object.", null);
    }

    private int Add(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (_count == _tokens.Length)
        {
            Array.Resize(ref _tokens, _count * 2);
        }

        var start = (int)reader.TokenStartIndex;
        ref var token = ref _tokens[_count];
        token = default;
        token.End = _count + 1;
        switch (type)
        {
            case JsonTokenType.StartObject:
                token.Kind = JsonValueKind.Object;
                token.Start = start;
                break;
            case JsonTokenType.StartArray:
                token.Kind = JsonValueKind.Array;
                token.Start = start;
                break;
            case JsonTokenType.PropertyName:
                token.Kind = JsonValueKind.Undefined;
                token.Start = start + 1;
                token.Length = reader.ValueSpan.Length;
                if (reader.ValueIsEscaped)
                {
                    // Compared and looked up by the name as written after unescaping. One that is not UTF-8 then
                    // keeps its escaped form: like JsonDocument, it matches nothing the readers ask for.
                    EnsureNames(token.Length);
                    try
                    {
                        var length = reader.CopyString(_names.AsSpan(_namesLength));
                        token.Escaped = true;
                        token.Start = _namesLength;
                        token.Length = length;
                        _namesLength += length;
                    }
                    catch (InvalidOperationException)
                    {
                    }
                }

                token.Hash = Hash(NameOf(ref token));
                break;
            case JsonTokenType.String:
                // The whole token, quotes included, so a reader can be set on it again.
                token.Kind = JsonValueKind.String;
                token.Escaped = reader.ValueIsEscaped;
                token.Start = start;
                token.Length = reader.ValueSpan.Length + 2;
                break;
            default:
                token.Kind = type switch
                {
                    JsonTokenType.Number => JsonValueKind.Number,
                    JsonTokenType.True => JsonValueKind.True,
                    JsonTokenType.False => JsonValueKind.False,
                    _ => JsonValueKind.Null,
                };
                token.Start = start;
                token.Length = reader.ValueSpan.Length;
                break;
        }

        return _count++;
    }

    private void EnsureNames(int size)
    {
        if (_namesLength + size > _names.Length)
        {
            Array.Resize(ref _names, Math.Max(_names.Length * 2, _namesLength + size));
        }
    }

    private ReadOnlySpan<byte> NameOf(ref Token token) =>
        token.Escaped ? _names.AsSpan(token.Start, token.Length) : _utf8.AsSpan(token.Start, token.Length);

    private bool NameEquals(int index, string name)
    {
        ref var token = ref _tokens[index];
        if (token.Length != name.Length)
        {
            // Member names the readers ask for are ASCII: one byte per character.
            return false;
        }

        var bytes = NameOf(ref token);
        for (var i = 0; i < bytes.Length; i++)
        {
            if (bytes[i] != name[i])
            {
                return false;
            }
        }

        return true;
    }

    // The earlier members of the object being read, against the one just added.
    private string? FindDuplicate(int obj, int added)
    {
        ref var token = ref _tokens[added];
        var name = NameOf(ref token);
        for (var i = obj + 1; i < added; i = _tokens[i + 1].End)
        {
            if (_tokens[i].Hash == token.Hash && NameOf(ref _tokens[i]).SequenceEqual(name))
            {
                return Encoding.UTF8.GetString(name);
            }
        }

        return null;
    }

    private static int Hash(ReadOnlySpan<byte> name)
    {
        var hash = (uint)name.Length;
        foreach (var b in name)
        {
            hash = (hash * 31) + b;
        }

        return (int)hash;
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
            && (Ascii.EqualsIgnoreCase(rest[..3], "nan"u8) || Ascii.EqualsIgnoreCase(rest[..3], "inf"u8));
    }

    private struct Token
    {
        public JsonValueKind Kind;
        public bool Escaped;
        public int Start;
        public int Length;

        // The index after this value and everything inside it; the next sibling starts there.
        public int End;

        // Items of an array, members of an object.
        public int Count;

        // Of a member name, for the duplicate check.
        public int Hash;
    }
}

/// <summary>One value on a <see cref="JsonTape"/>: the part of <see cref="JsonElement"/>'s surface the readers use, with its semantics.</summary>
internal readonly struct TapeValue
{
    private readonly JsonTape _tape;
    private readonly int _index;

    internal TapeValue(JsonTape tape, int index)
    {
        _tape = tape;
        _index = index;
    }

    public JsonValueKind ValueKind => _tape.Kind(_index);

    /// <summary>A string's text as written between its quotes (escapes not resolved).</summary>
    public ReadOnlySpan<byte> RawContent => _tape.Raw(_index)[1..^1];

    /// <summary>Whether a string contains escapes.</summary>
    public bool IsEscaped => _tape.IsEscaped(_index);

    public bool TryGetProperty(string name, out TapeValue value)
    {
        var member = _tape.FindMember(_index, name);
        value = member < 0 ? default : new TapeValue(_tape, member);
        return member >= 0;
    }

    public int GetArrayLength() => _tape.Count(_index);

    public ArrayEnumerator EnumerateArray() => new(_tape, _index);

    public bool GetBoolean() => ValueKind == JsonValueKind.True;

    /// <exception cref="InvalidOperationException">The string is not valid UTF-8 (as <see cref="JsonElement.GetString"/>).</exception>
    public string? GetString() => ValueKind == JsonValueKind.Null ? null : _tape.ReaderAt(_index).GetString();

    // The number parsers and the whole-token rule of JsonDocument's own TryGetValue.
    public bool TryGetInt64(out long value)
    {
        var raw = _tape.Raw(_index);
        return Utf8Parser.TryParse(raw, out value, out var consumed) && consumed == raw.Length;
    }

    public bool TryGetUInt64(out ulong value)
    {
        var raw = _tape.Raw(_index);
        return Utf8Parser.TryParse(raw, out value, out var consumed) && consumed == raw.Length;
    }

    public bool TryGetDouble(out double value)
    {
        var raw = _tape.Raw(_index);
        return Utf8Parser.TryParse(raw, out value, out var consumed) && consumed == raw.Length;
    }

    public bool TryGetDateTimeOffset(out DateTimeOffset value) => _tape.ReaderAt(_index).TryGetDateTimeOffset(out value);

    public string GetRawText() => Encoding.UTF8.GetString(_tape.Raw(_index));

    /// <summary>The items of an array, in order.</summary>
    internal struct ArrayEnumerator
    {
        private readonly JsonTape _tape;
        private readonly int _end;
        private int _next;
        private int _current;

        internal ArrayEnumerator(JsonTape tape, int array)
        {
            _tape = tape;
            _end = tape.End(array);
            _next = array + 1;
            _current = -1;
        }

        public readonly TapeValue Current => new(_tape, _current);

        public readonly ArrayEnumerator GetEnumerator() => this;

        public bool MoveNext()
        {
            if (_next >= _end)
            {
                return false;
            }

            _current = _next;
            _next = _tape.End(_current);
            return true;
        }
    }
}
