using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Edge.Contracts;
using Edge.Outbox;

namespace Edge.Gateway.Pipeline;

/// <summary>
/// What the gateway stores in the outbox: one contract <see cref="Reading"/> or <see cref="ScanEvent"/> per item,
/// as the contract's own JSON (plus the outbox's own abandonment declarations, <see cref="OutboxAbandonment"/>). The seq inside is a placeholder; the outbox assigns the real one at commit and the
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

    /// <summary>
    /// Whether a row read back from a corrupt outbox file is still what this gateway wrote: a reading or scan that
    /// decodes and, wrapped in its message with its seq, passes every rule the hub applies, or a readable declaration.
    /// Anything else is garbage from a damaged page, and its seq is declared lost rather than sent.
    /// </summary>
    public static bool IsSendable(OutboxEntry entry, string gatewayId, DateTimeOffset now)
    {
        // Judged as when the outbox accepted it, if that was later: a salvage usually runs right after a power cut,
        // when the clock may not be set yet (1970) or is behind, and the contract's time checks would condemn
        // readings that were valid then and are valid to the hub.
        if (entry.AcceptedAt > now)
        {
            now = entry.AcceptedAt;
        }

        try
        {
            IContractMessage? message = entry.Kind switch
            {
                ReadingKind => DeserializeReading(entry.Payload.Span) is { } r
                    ? new ReadingBatch { GatewayId = gatewayId, Seq = entry.Seq, Ts = now, ClockSynced = entry.ClockSynced, Readings = [r with { Seq = entry.Seq }] }
                    : null,
                ScanKind => DeserializeScan(entry.Payload.Span) is { } s ? s with { GatewayId = gatewayId, Seq = entry.Seq, ClockSynced = entry.ClockSynced } : null,
                _ => null,
            };
            if (message is not null)
            {
                return ContractCodec.TryValidate(message, now, out _);
            }

            return entry.Kind == OutboxAbandonment.ItemKind && OutboxAbandonment.TryParse(entry, out _);
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
