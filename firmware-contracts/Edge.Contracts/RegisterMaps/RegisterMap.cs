using System.Text.Json;
using System.Text.Json.Serialization;

namespace Edge.Contracts.RegisterMaps;

/// <summary>
/// The Modbus register map of one PLC program: which values live at which addresses and what they mean.
/// One JSON file per program (schema <c>register-map.v1.schema.json</c>), loaded with <see cref="Load"/> or
/// <see cref="Parse(string)"/>, which validate it completely.
/// </summary>
public sealed record RegisterMap
{
    /// <summary>The largest map file <see cref="Load"/> reads, in bytes.</summary>
    public const int MaxFileBytes = 1024 * 1024;

    /// <summary>The most entries a map may have.</summary>
    public const int MaxEntries = 4096;

    /// <summary>The format version, <c>"major.minor"</c> with major 1 (JSON <c>schema</c>).</summary>
    [JsonRequired]
    public string Schema { get; init; } = ContractInfo.SchemaVersion;

    /// <summary>The PLC program's name, an id (1–64 of <c>[A-Za-z0-9_.-]</c>).</summary>
    public required string Program { get; init; }

    /// <summary>The PLC program's version, free text up to 64 characters.</summary>
    public required string Version { get; init; }

    /// <summary>A description for people.</summary>
    public string? Description { get; init; }

    /// <summary>The byte and word order of entries that do not state their own.</summary>
    public required RegisterMapDefaults Defaults { get; init; }

    /// <summary>The entries, names unique, registers not overlapping.</summary>
    public required IReadOnlyList<RegisterEntry> Entries { get; init; }

    /// <summary>Finds an entry by name (ordinal).</summary>
    /// <param name="name">The entry's name.</param>
    /// <returns>The entry, or <see langword="null"/>.</returns>
    public RegisterEntry? Find(string name) =>
        Entries.FirstOrDefault(e => string.Equals(e.Name, name, StringComparison.Ordinal));

    /// <summary>Reads and validates a register-map file.</summary>
    /// <param name="path">The file's path.</param>
    /// <returns>The map.</returns>
    /// <exception cref="RegisterMapException">The file is not a valid map; <see cref="RegisterMapException.Errors"/> lists every problem.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static RegisterMap Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var info = new FileInfo(path);
        if (info.Exists && info.Length > MaxFileBytes)
        {
            throw new RegisterMapException(path, [new RegisterMapError("(file)", $"{info.Length} bytes is more than the limit of {MaxFileBytes}")]);
        }

        var bytes = File.ReadAllBytes(path);
        if (!TryParse(bytes, out var map, out var errors))
        {
            throw new RegisterMapException(path, errors);
        }

        return map;
    }

    /// <summary>Parses and validates a register map.</summary>
    /// <param name="json">The map as JSON text.</param>
    /// <returns>The map.</returns>
    /// <exception cref="RegisterMapException">The text is not a valid map.</exception>
    public static RegisterMap Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(System.Text.Encoding.UTF8.GetBytes(json));
    }

    /// <summary>Parses and validates a register map.</summary>
    /// <param name="utf8Json">The map as UTF-8 JSON.</param>
    /// <returns>The map.</returns>
    /// <exception cref="RegisterMapException">The bytes are not a valid map.</exception>
    public static RegisterMap Parse(ReadOnlySpan<byte> utf8Json)
    {
        if (!TryParse(utf8Json, out var map, out var errors))
        {
            throw new RegisterMapException(null, errors);
        }

        return map;
    }

    /// <summary>Parses and validates a register map without throwing.</summary>
    /// <param name="utf8Json">The map as UTF-8 JSON.</param>
    /// <param name="map">The map, when valid.</param>
    /// <param name="errors">Every problem found, each naming the entry and field; empty when valid.</param>
    /// <returns><see langword="true"/> when the map is valid.</returns>
    public static bool TryParse(
        ReadOnlySpan<byte> utf8Json,
        [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RegisterMap? map,
        out IReadOnlyList<RegisterMapError> errors)
    {
        map = RegisterMapParser.Parse(utf8Json, out var list);
        errors = list;
        return map is not null;
    }

    /// <summary>
    /// Interprets the registers of <paramref name="entry"/> as its raw value, honouring the entry's (or the map's)
    /// byte and word order. For coils and discrete inputs pass one element, 0 or 1.
    /// </summary>
    /// <param name="entry">An entry of this map.</param>
    /// <param name="registers">The entry's registers as read, starting at its address; at least <see cref="RegisterEntry.RegisterCount"/>.</param>
    /// <returns>The raw value (a u32 fits a double exactly).</returns>
    /// <exception cref="ArgumentException">Too few registers.</exception>
    public double ReadRaw(RegisterEntry entry, ReadOnlySpan<ushort> registers)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (registers.Length < entry.RegisterCount)
        {
            throw new ArgumentException($"Entry '{entry.Name}' needs {entry.RegisterCount} registers, got {registers.Length}.", nameof(registers));
        }

        var swapBytes = (entry.ByteOrder ?? Defaults.ByteOrder) == ByteOrder.Little;
        if (entry.RegisterCount == 1)
        {
            return entry.DataType switch
            {
                RegisterDataType.Bool => registers[0] != 0 ? 1 : 0,
                RegisterDataType.I16 => (short)Swap(registers[0], swapBytes),
                _ => Swap(registers[0], swapBytes),
            };
        }

        var highFirst = (entry.WordOrder ?? Defaults.WordOrder) == WordOrder.Big;
        var first = Swap(registers[0], swapBytes);
        var second = Swap(registers[1], swapBytes);
        var bits = highFirst ? ((uint)first << 16) | second : ((uint)second << 16) | first;
        return entry.DataType switch
        {
            // Each arm typed double on purpose: a common type of int, float and uint would be float, losing u32 digits.
            RegisterDataType.I32 => (double)(int)bits,
            RegisterDataType.F32 => (double)BitConverter.UInt32BitsToSingle(bits),
            _ => (double)bits,
        };
    }

    /// <summary>Reads the engineering value of <paramref name="entry"/>: <see cref="ReadRaw"/> then scale and offset.</summary>
    /// <param name="entry">An entry of this map.</param>
    /// <param name="registers">The entry's registers as read.</param>
    /// <returns>The value in the entry's unit.</returns>
    public double ReadValue(RegisterEntry entry, ReadOnlySpan<ushort> registers)
    {
        ArgumentNullException.ThrowIfNull(entry);
        return entry.ToEngineering(ReadRaw(entry, registers));
    }

    /// <summary>The inverse of <see cref="ReadRaw"/>, for simulators: writes a raw value into the entry's registers.</summary>
    /// <param name="entry">An entry of this map.</param>
    /// <param name="raw">The raw value; an integer within the data type's range unless the type is f32.</param>
    /// <param name="registers">Where to write, at least <see cref="RegisterEntry.RegisterCount"/> long.</param>
    /// <exception cref="ArgumentException">Too few registers.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The value does not fit the data type.</exception>
    public void WriteRaw(RegisterEntry entry, double raw, Span<ushort> registers)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (registers.Length < entry.RegisterCount)
        {
            throw new ArgumentException($"Entry '{entry.Name}' needs {entry.RegisterCount} registers, got {registers.Length}.", nameof(registers));
        }

        uint bits = entry.DataType switch
        {
            RegisterDataType.Bool => CheckedInteger(raw, 0, 1),
            RegisterDataType.U16 => CheckedInteger(raw, 0, ushort.MaxValue),
            RegisterDataType.I16 => (ushort)(short)CheckedInteger(raw, short.MinValue, short.MaxValue),
            RegisterDataType.U32 => CheckedInteger(raw, 0, uint.MaxValue),
            RegisterDataType.I32 => (uint)(int)CheckedInteger(raw, int.MinValue, int.MaxValue),
            _ => BitConverter.SingleToUInt32Bits((float)raw),
        };

        var swapBytes = (entry.ByteOrder ?? Defaults.ByteOrder) == ByteOrder.Little && entry.DataType != RegisterDataType.Bool;
        if (entry.RegisterCount == 1)
        {
            registers[0] = Swap((ushort)bits, swapBytes);
            return;
        }

        var high = Swap((ushort)(bits >> 16), swapBytes);
        var low = Swap((ushort)bits, swapBytes);
        var highFirst = (entry.WordOrder ?? Defaults.WordOrder) == WordOrder.Big;
        registers[0] = highFirst ? high : low;
        registers[1] = highFirst ? low : high;
    }

    private static ushort Swap(ushort word, bool swap) => swap ? (ushort)((word << 8) | (word >> 8)) : word;

    private static uint CheckedInteger(double raw, double min, double max)
    {
        if (!double.IsFinite(raw) || raw != Math.Floor(raw) || raw < min || raw > max)
        {
            throw new ArgumentOutOfRangeException(nameof(raw), raw, $"Must be an integer in [{min}, {max}].");
        }

        // Two's complement for negatives: the caller narrows to the data type's width.
        return raw < 0 ? unchecked((uint)(long)raw) : (uint)raw;
    }

    /// <summary>Writes the map as indented JSON in the file format.</summary>
    /// <returns>The JSON text.</returns>
    public string ToJson() => JsonSerializer.Serialize(this, ContractJsonContext.Indented.RegisterMap);
}

/// <summary>The byte and word order of entries that do not state their own.</summary>
public sealed record RegisterMapDefaults
{
    /// <summary>The byte order inside each register.</summary>
    public required ByteOrder ByteOrder { get; init; }

    /// <summary>The word order of 32-bit values.</summary>
    public required WordOrder WordOrder { get; init; }
}

/// <summary>One problem in a register map, naming the place (e.g. <c>entries[3].dataType</c>).</summary>
/// <param name="Path">Where the problem is: a member path such as <c>entries[3].dataType</c>.</param>
/// <param name="Message">What is wrong, for people.</param>
public sealed record RegisterMapError(string Path, string Message)
{
    /// <summary>The problem as <c>path: message</c>.</summary>
    /// <returns>The text.</returns>
    public override string ToString() => $"{Path}: {Message}";
}

/// <summary>Thrown when a register map is not valid; lists every problem found.</summary>
public sealed class RegisterMapException : FormatException
{
    /// <summary>Creates the exception with no details.</summary>
    public RegisterMapException()
        : this("The register map is not valid.")
    {
    }

    /// <summary>Creates the exception with a message.</summary>
    /// <param name="message">The message.</param>
    public RegisterMapException(string message)
        : base(message)
    {
        Errors = [];
    }

    /// <summary>Creates the exception with a message and an inner exception.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public RegisterMapException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    /// <summary>Creates the exception for the problems found in a map.</summary>
    /// <param name="source">The file's path, if the map came from a file.</param>
    /// <param name="errors">The problems.</param>
    public RegisterMapException(string? source, IReadOnlyList<RegisterMapError> errors)
        : base(BuildMessage(source, errors))
    {
        Errors = errors;
    }

    /// <summary>Every problem found.</summary>
    public IReadOnlyList<RegisterMapError> Errors { get; }

    private static string BuildMessage(string? source, IReadOnlyList<RegisterMapError> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var head = source is null ? "The register map is not valid:" : $"Register map '{source}' is not valid:";
        return head + Environment.NewLine + string.Join(Environment.NewLine, errors.Select(e => "  " + e));
    }
}
