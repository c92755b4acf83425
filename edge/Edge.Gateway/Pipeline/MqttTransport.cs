using System.Globalization;
using System.Text;
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
/// <para>An entry this build cannot turn into its message (a payload that does not decode, a kind it does not know)
/// passed the outbox's checksum, so it is exactly what was written: a gateway bug or a format change, and sending it
/// again will never work. Skipped, it would stay in the outbox for ever and leave the hub a gap it can never close. So
/// it is given up (<see cref="Outbox.Outbox.AbandonAsync"/>): removed and, in the same commit, declared lost to the hub,
/// with one error (33015) that carries its payload for whoever has to put the reading right by hand.</para>
/// <para>The outbox's abandonment declarations (<see cref="OutboxAbandonment"/>) travel in the contract's only place for
/// them: the <see cref="GatewayBirth.Abandoned"/> list of a birth of the current session, published retained like
/// every birth. The outbox keeps each declaration until the hub acknowledges its seq and hands it over again after the
/// resend timeout, so the birth is repeated until then.</para>
/// </remarks>
internal sealed class MqttTransport : IOutboxTransport
{
    // Well under the contract's 1 MiB: the envelope and JSON punctuation come on top of the payloads.
    private const int MaxBatchPayloadBytes = 800 * 1024;

    // The most of a payload an error line carries.
    private const int MaxLoggedPayloadChars = 2000;

    private readonly MqttSession _session;
    private readonly Outbox.Outbox _outbox;
    private readonly string _gatewayId;
    private readonly int _maxReadings;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly string _readingsTopic;
    private readonly string _scansTopic;
    private readonly string _birthTopic;

    public MqttTransport(MqttSession session, Outbox.Outbox outbox, string gatewayId, int maxReadingsPerBatch, TimeProvider time, ILogger logger)
    {
        _session = session;
        _outbox = outbox;
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
        var unsendable = new List<UnsendableEntry>();
        foreach (var (topic, payload, retain) in Build(batch, replay, unsendable))
        {
            pending.Add(client.PublishAsync(topic, payload, MqttQos.AtLeastOnce, retain, cancellationToken));
        }

        await Task.WhenAll(pending);
        // A declaration names at most MaxRanges seqs; a batch may hold more that cannot be sent (a format change).
        foreach (var chunk in unsendable.Chunk(OutboxAbandonment.MaxRanges))
        {
            await GiveUpAsync([.. chunk], cancellationToken);
        }
    }

    /// <summary>
    /// Turns entries into messages; readings are grouped, split where the clock flag or the size limits change. Entries
    /// that cannot become a message are left out and added to <paramref name="unsendable"/>.
    /// </summary>
    internal IEnumerable<(string Topic, byte[] Payload, bool Retain)> Build(IReadOnlyList<OutboxEntry> batch, bool replay, List<UnsendableEntry>? unsendable = null)
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
                var (reading, failure) = Decode(entry, Payloads.DeserializeReading);
                if (reading is null)
                {
                    unsendable?.Add(new UnsendableEntry(entry, failure!));
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

                var (scan, failure) = Decode(entry, Payloads.DeserializeScan);
                if (scan is null)
                {
                    unsendable?.Add(new UnsendableEntry(entry, failure!));
                    continue;
                }

                var message = scan with { GatewayId = _gatewayId, Seq = entry.Seq, ClockSynced = entry.ClockSynced, Replay = replay };
                yield return (_scansTopic, ContractCodec.Encode(message), false);
            }
            else if (entry.Kind == OutboxAbandonment.ItemKind)
            {
                if (readings.Count > 0)
                {
                    yield return Flush(readings, lastSeq, synced, replay);
                    readings = new List<Reading>(_maxReadings);
                    bytes = 0;
                }

                if (DecodeDeclaration(entry) is not { } declaration)
                {
                    // Its ranges stay open at the hub, but its own seq no longer does.
                    unsendable?.Add(new UnsendableEntry(entry, "not a readable abandonment declaration"));
                    continue;
                }

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
            else
            {
                // Written by another build (a downgrade after a newer one stored a new kind): this one cannot send it.
                unsendable?.Add(new UnsendableEntry(entry, "unknown kind '" + entry.Kind + "'"));
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

    private static SeqAbandonment? DecodeDeclaration(OutboxEntry entry)
    {
        if (!OutboxAbandonment.TryParse(entry, out var declaration))
        {
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

    private static (T? Message, string? Failure) Decode<T>(OutboxEntry entry, DecodeBody<T> decode)
        where T : class
    {
        try
        {
            return decode(entry.Payload.Span) is { } message ? (message, null) : (null, "the payload is JSON null");
        }
        catch (System.Text.Json.JsonException ex)
        {
            return (null, ex.Message);
        }
    }

    /// <summary>
    /// Removes the entries from the outbox and declares their seqs lost in one commit, then says so once per entry.
    /// A failure leaves them in the outbox; they come round again with their next resend.
    /// </summary>
    private async Task GiveUpAsync(List<UnsendableEntry> unsendable, CancellationToken cancellationToken)
    {
        var what = string.Join("; ", unsendable.Select(u => string.Create(CultureInfo.InvariantCulture, $"seq {u.Entry.Seq} ({u.Entry.Kind} of {u.Entry.DeviceId}): {u.Reason}")));
        var note = "gateway " + GatewayService.SoftwareVersion + " cannot decode " + what;
        if (note.Length > ContractLimits.MaxTextLength)
        {
            note = note[..(ContractLimits.MaxTextLength - 1)] + "…";
        }

        OutboxAbandonmentResult? result;
        try
        {
            result = await _outbox.AbandonAsync([.. unsendable.Select(u => u.Entry.Seq)], note, cancellationToken);
        }
        catch (Exception ex) when (ex is OutboxStorageException or ObjectDisposedException)
        {
            foreach (var u in unsendable)
            {
                Log.EntryAbandonFailed(_logger, u.Entry.Seq, u.Reason, ex.Message);
            }

            return;
        }

        // Null, or seqs left out: given up already (an earlier batch), or acknowledged or renumbered since they were read.
        foreach (var u in unsendable)
        {
            if (result is not null && result.Seqs.Contains(u.Entry.Seq))
            {
                Log.EntryAbandoned(_logger, u.Entry.Seq, u.Entry.Kind, u.Entry.DeviceId, u.Entry.AcceptedAt, u.Reason, result.DeclarationSeq, Printable(u.Entry.Payload.Span));
            }
        }
    }

    private static string Printable(ReadOnlySpan<byte> payload)
    {
        var text = Encoding.UTF8.GetString(payload);
        return text.Length <= MaxLoggedPayloadChars ? text : text[..MaxLoggedPayloadChars] + string.Create(CultureInfo.InvariantCulture, $"… ({payload.Length} bytes)");
    }

    private delegate T? DecodeBody<T>(ReadOnlySpan<byte> payload);
}

/// <summary>An outbox entry that cannot become a message, and why.</summary>
internal sealed record UnsendableEntry(OutboxEntry Entry, string Reason);
