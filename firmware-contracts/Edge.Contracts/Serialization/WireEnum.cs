using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Contracts.RegisterMaps;

namespace Edge.Contracts;

/// <summary>
/// The wire names of an enum, taken from its <c>[JsonStringEnumMemberName]</c> attributes through the JSON context,
/// so the decoder, the topic code and the serializer cannot disagree.
/// </summary>
internal sealed class WireEnum<T>
    where T : struct, Enum
{
    private readonly KeyValuePair<string, T>[] _entries;

    public WireEnum(JsonTypeInfo<T> typeInfo)
    {
        var values = Enum.GetValues<T>();
        _entries = new KeyValuePair<string, T>[values.Length];
        for (var i = 0; i < values.Length; i++)
        {
            // Serializing yields the quoted wire name, e.g. "\"zero-error\"".
            var name = JsonSerializer.Deserialize(JsonSerializer.SerializeToUtf8Bytes(values[i], typeInfo), ContractJsonContext.Default.String)!;
            _entries[i] = new(name, values[i]);
        }

        AllowedList = string.Join(",", _entries.Select(e => e.Key));
    }

    /// <summary>The wire names joined by commas, for error messages.</summary>
    public string AllowedList { get; }

    public IEnumerable<string> Names => _entries.Select(e => e.Key);

    public bool TryParse(string name, [NotNullWhen(true)] out T? value)
    {
        foreach (var entry in _entries)
        {
            if (string.Equals(entry.Key, name, StringComparison.Ordinal))
            {
                value = entry.Value;
                return true;
            }
        }

        value = null;
        return false;
    }

    public string ToName(T value)
    {
        foreach (var entry in _entries)
        {
            if (EqualityComparer<T>.Default.Equals(entry.Value, value))
            {
                return entry.Key;
            }
        }

        throw new ArgumentOutOfRangeException(nameof(value), value, $"Not a defined {typeof(T).Name}.");
    }
}

/// <summary>The wire-name tables of the contract's enums.</summary>
internal static class WireEnums
{
    public static readonly WireEnum<WeightMode> WeightMode = new(ContractJsonContext.Default.WeightMode);
    public static readonly WireEnum<IndicatorStatus> IndicatorStatus = new(ContractJsonContext.Default.IndicatorStatus);
    public static readonly WireEnum<ScanTech> ScanTech = new(ContractJsonContext.Default.ScanTech);
    public static readonly WireEnum<DeviceState> DeviceState = new(ContractJsonContext.Default.DeviceState);
    public static readonly WireEnum<CommandAction> CommandAction = new(ContractJsonContext.Default.CommandAction);
    public static readonly WireEnum<OutputValue> OutputValue = new(ContractJsonContext.Default.OutputValue);
    public static readonly WireEnum<AlertLevel> AlertLevel = new(ContractJsonContext.Default.AlertLevel);
    public static readonly WireEnum<AlertState> AlertState = new(ContractJsonContext.Default.AlertState);
    public static readonly WireEnum<RegisterTable> RegisterTable = new(ContractJsonContext.Default.RegisterTable);
    public static readonly WireEnum<RegisterDataType> RegisterDataType = new(ContractJsonContext.Default.RegisterDataType);
    public static readonly WireEnum<RegisterMeaning> RegisterMeaning = new(ContractJsonContext.Default.RegisterMeaning);
    public static readonly WireEnum<ByteOrder> ByteOrder = new(ContractJsonContext.Default.ByteOrder);
    public static readonly WireEnum<WordOrder> WordOrder = new(ContractJsonContext.Default.WordOrder);
}
