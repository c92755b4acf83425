using System.Globalization;
using System.Text.Json;

namespace Edge.Contracts.RegisterMaps;

/// <summary>
/// Reads a register-map file and collects every problem with its path, so a PLC engineer fixes a file in one go.
/// Unlike messages, a map is written by hand: unknown members are errors (most are typos).
/// </summary>
internal sealed class RegisterMapParser
{
    private static readonly string[] s_rootMembers = ["schema", "program", "version", "description", "defaults", "entries"];
    private static readonly string[] s_defaultsMembers = ["byteOrder", "wordOrder"];
    private static readonly string[] s_entryMembers =
        ["name", "table", "address", "dataType", "byteOrder", "wordOrder", "scale", "offset", "unit", "meaning", "counterWidth", "states", "description"];

    private readonly List<RegisterMapError> _errors = [];

    private RegisterMapParser()
    {
    }

    public static RegisterMap? Parse(ReadOnlySpan<byte> utf8, out List<RegisterMapError> errors)
    {
        var parser = new RegisterMapParser();
        errors = parser._errors;
        if (utf8.Length > RegisterMap.MaxFileBytes)
        {
            parser.Add("(file)", $"{utf8.Length} bytes is more than the limit of {RegisterMap.MaxFileBytes}");
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8.ToArray(), new JsonDocumentOptions { AllowDuplicateProperties = false, MaxDepth = 16 });
        }
        catch (JsonException e)
        {
            parser.Add("(json)", e.Message);
            return null;
        }

        using (document)
        {
            try
            {
                var map = parser.ReadMap(document.RootElement);
                return errors.Count == 0 ? map : null;
            }
            catch (InvalidOperationException)
            {
                // JsonElement.GetString throws this for strings that are not valid UTF-8.
                parser.Add("(json)", "a string is not valid UTF-8");
                return null;
            }
        }
    }

    private void Add(string path, string message) => _errors.Add(new RegisterMapError(path, message));

    private RegisterMap? ReadMap(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            Add("(root)", "must be a JSON object");
            return null;
        }

        RejectUnknown(root, null, s_rootMembers);
        var schema = String(root, null, "schema", required: true, 16);
        if (schema is not null && !IsVersionOne(schema))
        {
            Add("schema", $"'{schema}' is not \"1.minor\" such as \"{ContractInfo.SchemaVersion}\"");
        }

        var program = Id(root, null, "program", required: true);
        var version = String(root, null, "version", required: true, ContractLimits.MaxLabelLength);
        var description = String(root, null, "description", required: false, ContractLimits.MaxTextLength);
        var defaults = ReadDefaults(root);
        var entries = ReadEntries(root);
        if (_errors.Count > 0 || schema is null || program is null || version is null || defaults is null || entries is null)
        {
            return null;
        }

        return new RegisterMap
        {
            Schema = schema,
            Program = program,
            Version = version,
            Description = description,
            Defaults = defaults,
            Entries = entries,
        };
    }

    private RegisterMapDefaults? ReadDefaults(JsonElement root)
    {
        if (!Member(root, null, "defaults", required: true, JsonValueKind.Object, "an object", out var defaults))
        {
            return null;
        }

        RejectUnknown(defaults, "defaults", s_defaultsMembers);
        var byteOrder = Enum(defaults, "defaults", "byteOrder", required: true, WireEnums.ByteOrder);
        var wordOrder = Enum(defaults, "defaults", "wordOrder", required: true, WireEnums.WordOrder);
        return byteOrder is { } b && wordOrder is { } w ? new RegisterMapDefaults { ByteOrder = b, WordOrder = w } : null;
    }

    private RegisterEntry[]? ReadEntries(JsonElement root)
    {
        if (!Member(root, null, "entries", required: true, JsonValueKind.Array, "an array", out var array))
        {
            return null;
        }

        var count = array.GetArrayLength();
        if (count is 0 or > RegisterMap.MaxEntries)
        {
            Add("entries", $"has {count} entries; must have 1 to {RegisterMap.MaxEntries}");
            return null;
        }

        var entries = new RegisterEntry?[count];
        var index = 0;
        foreach (var item in array.EnumerateArray())
        {
            var path = $"entries[{index}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                Add(path, $"must be an object, not {Describe(item)}");
            }
            else
            {
                entries[index] = ReadEntry(item, path);
            }

            index++;
        }

        CheckUniqueNames(entries);
        CheckOverlaps(entries);
        return entries.All(e => e is not null) ? Array.ConvertAll(entries, e => e!) : null;
    }

    private RegisterEntry? ReadEntry(JsonElement item, string path)
    {
        RejectUnknown(item, path, s_entryMembers);
        var name = Id(item, path, "name", required: true);
        var table = Enum(item, path, "table", required: true, WireEnums.RegisterTable);
        var address = Integer(item, path, "address", required: true, 0, ushort.MaxValue);
        var dataType = Enum(item, path, "dataType", required: true, WireEnums.RegisterDataType);
        var byteOrder = Enum(item, path, "byteOrder", required: false, WireEnums.ByteOrder);
        var wordOrder = Enum(item, path, "wordOrder", required: false, WireEnums.WordOrder);
        var scale = Number(item, path, "scale");
        var offset = Number(item, path, "offset");
        var unit = String(item, path, "unit", required: false, ContractLimits.MaxUnitLength);
        var meaning = Enum(item, path, "meaning", required: true, WireEnums.RegisterMeaning);
        var counterWidth = Integer(item, path, "counterWidth", required: false, 0, 64);
        var states = States(item, path);
        var description = String(item, path, "description", required: false, ContractLimits.MaxTextLength);
        if (name is null || table is null || address is null || dataType is null || meaning is null)
        {
            return null;
        }

        var errorsBefore = _errors.Count;
        var bits = dataType is RegisterDataType.U32 or RegisterDataType.I32 or RegisterDataType.F32 ? 32 : 16;
        var typeName = WireEnums.RegisterDataType.ToName(dataType.Value);
        var isBitTable = table is RegisterTable.Coil or RegisterTable.Discrete;

        if (isBitTable && dataType != RegisterDataType.Bool)
        {
            Add(path + ".dataType", $"'{typeName}' is not allowed in table '{WireEnums.RegisterTable.ToName(table.Value)}': coils and discrete inputs are single bits, use bool");
        }

        if (!isBitTable && dataType == RegisterDataType.Bool)
        {
            Add(path + ".dataType", $"'bool' is for coils and discrete inputs; a register is one of u16,i16,u32,i32,f32");
        }

        if (isBitTable && meaning != RegisterMeaning.State)
        {
            Add(path + ".meaning", "a coil or discrete input is a state");
        }

        if (bits == 32 && address > ushort.MaxValue - 1)
        {
            Add(path + ".address", $"a {typeName} takes two registers; {address} has no successor");
        }

        if (wordOrder is not null && bits != 32)
        {
            Add(path + ".wordOrder", $"applies to 32-bit types only, not {typeName}");
        }

        if (byteOrder is not null && dataType == RegisterDataType.Bool)
        {
            Add(path + ".byteOrder", "does not apply to bool");
        }

        if (scale == 0)
        {
            Add(path + ".scale", "must not be 0");
        }

        switch (meaning)
        {
            case RegisterMeaning.Counter:
                if (dataType is not (RegisterDataType.U16 or RegisterDataType.U32))
                {
                    Add(path + ".dataType", $"a counter is u16 or u32, not {typeName}");
                }
                else if (counterWidth is null)
                {
                    Add(path + ".counterWidth", "is required for a counter (16 or 32)");
                }
                else if (counterWidth != bits)
                {
                    Add(path + ".counterWidth", $"{counterWidth} does not match {typeName}; use {bits}");
                }

                if (scale is not null and not 1.0)
                {
                    Add(path + ".scale", "a counter is reported raw; leave scale out or set it to 1");
                }

                if (offset is not null and not 0.0)
                {
                    Add(path + ".offset", "a counter is reported raw; leave offset out or set it to 0");
                }

                break;
            case RegisterMeaning.Analog:
                if (unit is null)
                {
                    Add(path + ".unit", "is required for an analog value (an SI unit such as kPa, A, kg)");
                }

                break;
            case RegisterMeaning.State:
                if (dataType == RegisterDataType.F32)
                {
                    Add(path + ".dataType", "a state is an integer or a bit, not f32");
                }

                break;
        }

        if (meaning != RegisterMeaning.Counter && counterWidth is not null)
        {
            Add(path + ".counterWidth", "applies to counters only");
        }

        if (meaning != RegisterMeaning.State && states is not null)
        {
            Add(path + ".states", "applies to states only");
        }

        if (states is not null)
        {
            var (min, max) = dataType switch
            {
                RegisterDataType.Bool => (0L, 1L),
                RegisterDataType.U16 => (0L, ushort.MaxValue),
                RegisterDataType.I16 => (short.MinValue, short.MaxValue),
                RegisterDataType.U32 => (0L, int.MaxValue),
                _ => (int.MinValue, (long)int.MaxValue),
            };
            foreach (var key in states.Keys.Where(k => k < min || k > max))
            {
                Add($"{path}.states.{key}", $"{key} is outside the range of {typeName}");
            }
        }

        if (_errors.Count > errorsBefore)
        {
            return null;
        }

        return new RegisterEntry
        {
            Name = name,
            Table = table.Value,
            Address = (int)address.Value,
            DataType = dataType.Value,
            ByteOrder = byteOrder,
            WordOrder = wordOrder,
            Scale = scale,
            Offset = offset,
            Unit = unit,
            Meaning = meaning.Value,
            CounterWidth = counterWidth is null ? null : (int)counterWidth.Value,
            States = states,
            Description = description,
        };
    }

    private Dictionary<int, string>? States(JsonElement item, string path)
    {
        if (!Member(item, path, "states", required: false, JsonValueKind.Object, "an object of value → label", out var states))
        {
            return null;
        }

        var result = new Dictionary<int, string>();
        foreach (var property in states.EnumerateObject())
        {
            var at = $"{path}.states.{property.Name}";
            if (!int.TryParse(property.Name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var key))
            {
                Add(at, $"'{property.Name}' is not an integer state value");
                continue;
            }

            if (property.Value.ValueKind != JsonValueKind.String || property.Value.GetString() is not { Length: > 0 and <= ContractLimits.MaxLabelLength } label)
            {
                Add(at, $"must be a label of 1 to {ContractLimits.MaxLabelLength} characters");
                continue;
            }

            if (!result.TryAdd(key, label))
            {
                Add(at, $"value {key} is labelled twice");
            }
        }

        if (result.Count == 0)
        {
            Add(path + ".states", "must label at least one value, or be left out");
        }

        return result;
    }

    private void CheckUniqueNames(RegisterEntry?[] entries)
    {
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < entries.Length; i++)
        {
            if (entries[i] is not { } entry)
            {
                continue;
            }

            if (seen.TryGetValue(entry.Name, out var first))
            {
                Add($"entries[{i}].name", $"'{entry.Name}' is already used by entries[{first}]");
            }
            else
            {
                seen.Add(entry.Name, i);
            }
        }
    }

    private void CheckOverlaps(RegisterEntry?[] entries)
    {
        // Sweep each table in address order, remembering the entry that reaches furthest so far.
        var spans = entries
            .Select((entry, index) => (entry, index))
            .Where(x => x.entry is not null)
            .Select(x => (x.index, table: x.entry!.Table, start: x.entry.Address, end: x.entry.Address + x.entry.RegisterCount - 1))
            .OrderBy(x => x.table).ThenBy(x => x.start).ThenBy(x => x.index)
            .ToList();

        (int index, RegisterTable table, int start, int end)? furthest = null;
        foreach (var span in spans)
        {
            if (furthest is { } f && f.table == span.table && span.start <= f.end)
            {
                var (later, earlier) = span.index > f.index ? (span, f) : (f, span);
                var table = WireEnums.RegisterTable.ToName(span.table);
                Add($"entries[{later.index}].address",
                    $"{table} {Range(later.start, later.end)} overlaps entries[{earlier.index}] '{entries[earlier.index]!.Name}' ({table} {Range(earlier.start, earlier.end)})");
            }

            if (furthest is not { } g || g.table != span.table || span.end > g.end)
            {
                furthest = span;
            }
        }

        static string Range(int start, int end) => start == end ? start.ToString(CultureInfo.InvariantCulture) : $"{start}-{end}";
    }

    private static bool IsVersionOne(string text)
    {
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0 && text[..dot] == "1" && dot < text.Length - 1
            && text.AsSpan(dot + 1).IndexOfAnyExceptInRange('0', '9') < 0;
    }

    private void RejectUnknown(JsonElement obj, string? path, string[] known)
    {
        foreach (var property in obj.EnumerateObject())
        {
            if (Array.IndexOf(known, property.Name) < 0)
            {
                Add(Join(path, property.Name), $"unknown member; allowed are {string.Join(",", known)}");
            }
        }
    }

    private bool Member(JsonElement obj, string? path, string name, bool required, JsonValueKind kind, string expected, out JsonElement value)
    {
        if (!obj.TryGetProperty(name, out value))
        {
            if (required)
            {
                Add(Join(path, name), "is required");
            }

            return false;
        }

        if (value.ValueKind != kind)
        {
            Add(Join(path, name), $"must be {expected}, not {Describe(value)}");
            return false;
        }

        return true;
    }

    private string? String(JsonElement obj, string? path, string name, bool required, int maxLength)
    {
        if (!Member(obj, path, name, required, JsonValueKind.String, "a string", out var value))
        {
            return null;
        }

        var text = value.GetString()!;
        if (text.Length == 0 || text.Length > maxLength)
        {
            Add(Join(path, name), $"must be 1 to {maxLength} characters");
            return null;
        }

        return text;
    }

    private string? Id(JsonElement obj, string? path, string name, bool required)
    {
        if (!Member(obj, path, name, required, JsonValueKind.String, "a string", out var value))
        {
            return null;
        }

        var text = value.GetString()!;
        if (!ContractIds.IsValid(text))
        {
            Add(Join(path, name), $"'{text}' is not an id of 1-{ContractLimits.MaxIdLength} characters of [A-Za-z0-9_.-]");
            return null;
        }

        return text;
    }

    private long? Integer(JsonElement obj, string? path, string name, bool required, long min, long max)
    {
        if (!Member(obj, path, name, required, JsonValueKind.Number, "an integer", out var value))
        {
            return null;
        }

        if (!value.TryGetInt64(out var number))
        {
            Add(Join(path, name), $"{value.GetRawText()} is not an integer");
            return null;
        }

        if (number < min || number > max)
        {
            Add(Join(path, name), $"{number} is outside {min}-{max}");
            return null;
        }

        return number;
    }

    private double? Number(JsonElement obj, string? path, string name)
    {
        if (!Member(obj, path, name, required: false, JsonValueKind.Number, "a number", out var value))
        {
            return null;
        }

        if (!value.TryGetDouble(out var number) || !double.IsFinite(number))
        {
            Add(Join(path, name), $"{value.GetRawText()} is not a finite number");
            return null;
        }

        return number;
    }

    private T? Enum<T>(JsonElement obj, string? path, string name, bool required, WireEnum<T> names)
        where T : struct, Enum
    {
        if (!Member(obj, path, name, required, JsonValueKind.String, "a string", out var value))
        {
            return null;
        }

        var text = value.GetString()!;
        if (!names.TryParse(text, out var result))
        {
            Add(Join(path, name), $"'{text}' is not one of {names.AllowedList}");
            return null;
        }

        return result;
    }

    private static string Join(string? path, string name) => path is null ? name : path + "." + name;

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "an array",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        JsonValueKind.Null => "null",
        _ => "nothing",
    };
}
