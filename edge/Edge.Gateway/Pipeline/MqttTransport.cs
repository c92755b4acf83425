using Edge.Contracts;
using Edge.Mqtt;
using Edge.Outbox;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Pipeline;

/// <summary>
/// Sends outbox entries over the current MQTT connection: readings as <see cref="ReadingBatch"/> messages of up to
/// <c>Gateway:Publishing:MaxReadingsPerBatch</c>, scans one <see cref="ScanEvent"/> each, all QoS 1. Completes when
/// the broker has PUBACKed every message of the call.
/// </summary>
internal sealed class MqttTransport : IOutboxTransport
{
    // Well under the contract's 1 MiB: the envelope and JSON punctuation come on top of the payloads.
    private const int MaxBatchPayloadBytes = 800 * 1024;

    private readonly MqttSession _session;
    private readonly string _gatewayId;
    private readonly int _maxReadings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _readingsTopic;
    private readonly string _scansTopic;

    public MqttTransport(MqttSession session, string gatewayId, int maxReadingsPerBatch, TimeProvider time, ILogger logger)
    {
        _session = session;
        _gatewayId = gatewayId;
        _maxReadings = maxReadingsPerBatch;
        _time = time;
        _logger = logger;
        _readingsTopic = session.Topic(MessageKind.Readings);
        _scansTopic = session.Topic(MessageKind.Scans);
    }

    public async Task PublishAsync(IReadOnlyList<OutboxEntry> batch, bool replay, CancellationToken cancellationToken)
    {
        var client = _session.Current ?? throw new MqttException("Not connected to the broker.");
        var pending = new List<Task>();
        foreach (var (topic, payload) in Build(batch, replay))
        {
            pending.Add(client.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain: false, cancellationToken));
        }

        await Task.WhenAll(pending);
    }

    /// <summary>Turns entries into messages; readings are grouped, split where the clock flag or the size limits change.</summary>
    internal IEnumerable<(string Topic, byte[] Payload)> Build(IReadOnlyList<OutboxEntry> batch, bool replay)
    {
        var readings = new List<Reading>(Math.Min(batch.Count, _maxReadings));
        var bytes = 0;
        var synced = true;
        long lastSeq = 0;
        foreach (var entry in batch)
        {
            if (entry.Kind == Payloads.ReadingKind)
            {
                var reading = Decode(entry);
                if (reading is null)
                {
                    continue;
                }

                if (readings.Count > 0 && (readings.Count >= _maxReadings || synced != entry.ClockSynced || bytes + entry.Payload.Length > MaxBatchPayloadBytes))
                {
                    yield return Flush(readings, lastSeq, synced, replay);
                    readings = new List<Reading>(_maxReadings);
                    bytes = 0;
                }

                synced = entry.ClockSynced;
                readings.Add(reading with { Seq = entry.Seq });
                bytes += entry.Payload.Length + 16;
                lastSeq = entry.Seq;
            }
            else if (entry.Kind == Payloads.ScanKind)
            {
                // Messages leave in seq order: the readings before this scan go first.
                if (readings.Count > 0)
                {
                    yield return Flush(readings, lastSeq, synced, replay);
                    readings = new List<Reading>(_maxReadings);
                    bytes = 0;
                }

                var scan = DecodeScan(entry);
                if (scan is not null)
                {
                    var message = scan with { GatewayId = _gatewayId, Seq = entry.Seq, ClockSynced = entry.ClockSynced, Replay = replay };
                    yield return (_scansTopic, ContractCodec.Encode(message));
                }
            }
            else
            {
                Log.UnknownEntryKind(_logger, entry.Seq, entry.Kind);
            }
        }

        if (readings.Count > 0)
        {
            yield return Flush(readings, lastSeq, synced, replay);
        }
    }

    private (string, byte[]) Flush(List<Reading> readings, long lastSeq, bool synced, bool replay)
    {
        var message = new ReadingBatch
        {
            GatewayId = _gatewayId,
            Seq = lastSeq,
            Ts = _time.GetUtcNow(),
            ClockSynced = synced,
            Replay = replay,
            Readings = readings,
        };
        return (_readingsTopic, ContractCodec.Encode(message));
    }

    private Reading? Decode(OutboxEntry entry)
    {
        try
        {
            return Payloads.DeserializeReading(entry.Payload.Span);
        }
        catch (System.Text.Json.JsonException ex)
        {
            // Only this gateway writes entries, after validating them: this is damage, not a routine event.
            Log.EntryUndecodable(_logger, entry.Seq, ex.Message);
            return null;
        }
    }

    private ScanEvent? DecodeScan(OutboxEntry entry)
    {
        try
        {
            return Payloads.DeserializeScan(entry.Payload.Span);
        }
        catch (System.Text.Json.JsonException ex)
        {
            Log.EntryUndecodable(_logger, entry.Seq, ex.Message);
            return null;
        }
    }
}
