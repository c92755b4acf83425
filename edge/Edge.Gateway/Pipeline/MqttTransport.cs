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
/// <remarks>
/// The outbox's abandonment declarations (<see cref="OutboxAbandonment"/>) travel in the contract's only place for
/// them: the <see cref="GatewayBirth.Abandoned"/> list of a birth of the current session, published retained like
/// every birth. The outbox keeps each declaration until the hub acknowledges its seq and hands it over again after the
/// resend timeout, so the birth is repeated until then.
/// </remarks>
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
    private readonly string _birthTopic;

    public MqttTransport(MqttSession session, string gatewayId, int maxReadingsPerBatch, TimeProvider time, ILogger logger)
    {
        _session = session;
        _gatewayId = gatewayId;
        _maxReadings = maxReadingsPerBatch;
        _time = time;
        _logger = logger;
        _readingsTopic = session.Topic(MessageKind.Readings);
        _scansTopic = session.Topic(MessageKind.Scans);
        _birthTopic = session.Topic(MessageKind.Birth);
    }

    public async Task PublishAsync(IReadOnlyList<OutboxEntry> batch, bool replay, CancellationToken cancellationToken)
    {
        var client = _session.Current ?? throw new MqttException("Not connected to the broker.");
        var pending = new List<Task>();
        foreach (var (topic, payload, retain) in Build(batch, replay))
        {
            pending.Add(client.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain, cancellationToken));
        }

        await Task.WhenAll(pending);
    }

    /// <summary>Turns entries into messages; readings are grouped, split where the clock flag or the size limits change.</summary>
    internal IEnumerable<(string Topic, byte[] Payload, bool Retain)> Build(IReadOnlyList<OutboxEntry> batch, bool replay)
    {
        var readings = new List<Reading>(Math.Min(batch.Count, _maxReadings));
        var declarations = new List<SeqAbandonment>();
        var bytes = 0;
        var synced = true;
        long lastSeq = 0;
        foreach (var entry in batch)
        {
            if (entry.Kind != OutboxAbandonment.ItemKind && declarations.Count > 0)
            {
                // Messages leave in seq order: the declarations before this entry go first.
                if (BirthWith(declarations) is { } birth)
                {
                    yield return birth;
                }

                declarations = [];
            }

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
                    yield return (_scansTopic, ContractCodec.Encode(message), false);
                }
            }
            else if (entry.Kind == OutboxAbandonment.ItemKind)
            {
                if (readings.Count > 0)
                {
                    yield return Flush(readings, lastSeq, synced, replay);
                    readings = new List<Reading>(_maxReadings);
                    bytes = 0;
                }

                if (DecodeDeclaration(entry) is { } declaration)
                {
                    declarations.Add(declaration);
                    if (declarations.Count == ContractLimits.MaxAbandonmentsPerBirth)
                    {
                        if (BirthWith(declarations) is { } birth)
                        {
                            yield return birth;
                        }

                        declarations = [];
                    }
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

        if (declarations.Count > 0 && BirthWith(declarations) is { } last)
        {
            yield return last;
        }
    }

    private (string, byte[], bool)? BirthWith(List<SeqAbandonment> declarations)
    {
        var birth = _session.BirthWith([.. declarations]);
        if (!ContractCodec.TryValidate(birth, _time.GetUtcNow(), out var error))
        {
            // Only the outbox writes declarations: this is a bug, and the hub would refuse it too.
            Log.EntryUndecodable(_logger, declarations[0].Seq, "declaration breaks the contract: " + error);
            return null;
        }

        Log.AbandonmentPublished(_logger, declarations.Count, string.Join(',', declarations.Select(d => d.Seq)), birth.Session);
        return (_birthTopic, ContractCodec.Encode(birth), true);
    }

    private SeqAbandonment? DecodeDeclaration(OutboxEntry entry)
    {
        if (!OutboxAbandonment.TryParse(entry, out var declaration))
        {
            Log.EntryUndecodable(_logger, entry.Seq, "not a readable abandonment declaration");
            return null;
        }

        var note = declaration.Note is { Length: > ContractLimits.MaxTextLength } text ? text[..ContractLimits.MaxTextLength] : declaration.Note;
        return new SeqAbandonment
        {
            Seq = entry.Seq,

            // The outbox's reasons are the contract's (outbox-corrupt, never-assigned).
            Reason = declaration.Reason,
            Ranges = [.. declaration.Ranges.Select(r => new SeqRange { From = r.From, To = r.To })],
            Ts = entry.Timestamp,
            Note = string.IsNullOrEmpty(note) ? null : note,
        };
    }

    private (string, byte[], bool) Flush(List<Reading> readings, long lastSeq, bool synced, bool replay)
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
        return (_readingsTopic, ContractCodec.Encode(message), false);
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
