using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Contracts.RegisterMaps;

namespace Edge.Contracts;

/// <summary>
/// The one source-generated JSON context of the contract: camelCase member names, nulls omitted, UTC timestamps
/// written with <c>Z</c>, enums as their wire names. Use <see cref="ContractCodec"/> to encode and decode
/// messages; this context is public so that other code (an HTTP API, tools) writes the same JSON.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    NumberHandling = JsonNumberHandling.Strict,
    AllowOutOfOrderMetadataProperties = true,
    RespectNullableAnnotations = true,
    RespectRequiredConstructorParameters = true,
    AllowDuplicateProperties = false,
    Converters = [typeof(UtcTimestampConverter)])]
[JsonSerializable(typeof(ReadingBatch))]
[JsonSerializable(typeof(ScanEvent))]
[JsonSerializable(typeof(GatewayBirth))]
[JsonSerializable(typeof(GatewayDeath))]
[JsonSerializable(typeof(DeviceHealth))]
[JsonSerializable(typeof(Acknowledgement))]
[JsonSerializable(typeof(Command))]
[JsonSerializable(typeof(Alert))]
[JsonSerializable(typeof(RegisterMap))]
[JsonSerializable(typeof(string))]
public sealed partial class ContractJsonContext : JsonSerializerContext
{
    private static ContractJsonContext? s_wire;
    private static ContractJsonContext? s_indented;

    /// <summary>
    /// The context messages are encoded with: compact, and non-ASCII text (Chinese alert messages) kept as UTF-8
    /// instead of <c>\uXXXX</c> escapes. The payloads go to MQTT, never into HTML, so the relaxed escaping is safe.
    /// </summary>
    public static ContractJsonContext Wire => s_wire ??= new(new JsonSerializerOptions(Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    /// <summary>Like <see cref="Wire"/> but indented, for files people edit (register maps, examples).</summary>
    public static ContractJsonContext Indented => s_indented ??= new(new JsonSerializerOptions(Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
    });
}
