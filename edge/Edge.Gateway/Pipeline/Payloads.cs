using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Contracts;

namespace Edge.Gateway.Pipeline;

/// <summary>
/// What the gateway stores in the outbox: one contract <see cref="Reading"/> or <see cref="ScanEvent"/> per item,
/// as the contract's own JSON. The seq inside is a placeholder; the outbox assigns the real one at commit and the
/// transport puts it in when it builds the message.
/// </summary>
internal static class Payloads
{
    public const string ReadingKind = "reading";
    public const string ScanKind = "scan";

    private static readonly JsonTypeInfo<Reading> s_reading = (JsonTypeInfo<Reading>)ContractJsonContext.Wire.GetTypeInfo(typeof(Reading))!;

    public static byte[] Serialize(Reading reading) => JsonSerializer.SerializeToUtf8Bytes(reading, s_reading);

    public static byte[] Serialize(ScanEvent scan) => JsonSerializer.SerializeToUtf8Bytes(scan, ContractJsonContext.Wire.ScanEvent);

    public static Reading? DeserializeReading(ReadOnlySpan<byte> payload) => JsonSerializer.Deserialize(payload, s_reading);

    public static ScanEvent? DeserializeScan(ReadOnlySpan<byte> payload) => JsonSerializer.Deserialize(payload, ContractJsonContext.Wire.ScanEvent);
}
