using Edge.Contracts;
using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Edge.Gateway.State;
using Edge.Outbox;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Gateway.Tests;

public sealed class TransportTests
{
    private static readonly DateTimeOffset s_t0 = new(2026, 5, 20, 1, 0, 0, TimeSpan.Zero);

    private static (MqttTransport Transport, MqttSession Session) Create(int maxPerBatch)
    {
        var options = new GatewayOptions { Id = "gw-1", Site = "hz", Area = "wb" };
        var session = new MqttSession(options, new SessionCounter(TestDirectories.Create("session")), () => 0, () => [], new FixedClock(), TimeProvider.System, NullLoggerFactory.Instance, "1.0.0");
        return (new MqttTransport(session, UnopenedOutbox(), options.Id, maxPerBatch, TimeProvider.System, NullLogger.Instance), session);
    }

    /// <summary>Building messages never touches the outbox; only giving up an entry does.</summary>
    private static Outbox.Outbox UnopenedOutbox() =>
        new(new OutboxOptions { DatabasePath = Path.Combine(TestDirectories.Create("outbox"), "outbox.db") });

    private static OutboxEntry Reading(long seq, bool synced = true)
    {
        var r = new CounterReading { Seq = 1, Device = "syn", Channel = "count", Ts = s_t0.AddMilliseconds(seq), Raw = (ulong)seq, Delta = 1, Epoch = 0, Width = 64 };
        return new OutboxEntry(seq, Payloads.ReadingKind, "syn", r.Ts, synced, s_t0, Payloads.Serialize(r));
    }

    private static OutboxEntry Scan(long seq)
    {
        var s = new ScanEvent { GatewayId = "x", Seq = 1, Ts = s_t0, ClockSynced = false, Device = "scan1", Station = "bay-3", Code = "LOT-1", Tech = ScanTech.Barcode };
        return new OutboxEntry(seq, Payloads.ScanKind, "scan1", s.Ts, true, s_t0, Payloads.Serialize(s));
    }

    [Fact]
    public async Task Readings_go_in_batches_of_at_most_N_with_their_own_seqs_and_the_last_as_envelope_seq()
    {
        var (transport, session) = Create(maxPerBatch: 500);
        await using var owned = session;
        var entries = Enumerable.Range(1, 1200).Select(i => Reading(i)).ToList();

        var messages = transport.Build(entries, replay: true).ToList();

        Assert.Equal([500, 500, 200], messages.Select(m => Decode(m.Payload).Readings.Count));
        Assert.All(messages, m => Assert.Equal("edge/v1/hz/wb/gw-1/readings", m.Topic));
        var batches = messages.Select(m => Decode(m.Payload)).ToList();
        Assert.Equal([500L, 1000L, 1200L], batches.Select(b => b.Seq));
        Assert.All(batches, b => Assert.True(b.Replay));
        Assert.Equal(Enumerable.Range(1, 1200).Select(i => (long)i), batches.SelectMany(b => b.Readings).Select(r => r.Seq));
        Assert.Equal(Enumerable.Range(1, 1200).Select(i => s_t0.AddMilliseconds(i)), batches.SelectMany(b => b.Readings).Select(r => r.Ts));
    }

    [Fact]
    public async Task A_change_of_the_clock_flag_starts_a_new_batch_and_scans_go_one_by_one()
    {
        var (transport, session) = Create(maxPerBatch: 500);
        await using var owned = session;
        OutboxEntry[] entries = [Reading(1, synced: false), Reading(2, synced: false), Reading(3), Scan(4), Reading(5)];

        var messages = transport.Build(entries, replay: false).ToList();

        Assert.Equal(["readings", "readings", "scans", "readings"], messages.Select(m => m.Topic.Split('/')[^1]));
        var first = Decode(messages[0].Payload);
        Assert.False(first.ClockSynced);
        Assert.Equal([1L, 2L], first.Readings.Select(r => r.Seq));
        Assert.True(Decode(messages[1].Payload).ClockSynced);
        Assert.True(ContractCodec.TryDecode<ScanEvent>(messages[2].Payload, DateTimeOffset.UtcNow, out var scan, out _));
        Assert.Equal(4, scan.Seq);
        Assert.Equal("gw-1", scan.GatewayId);
        Assert.False(scan.Replay);
    }

    [Fact]
    public async Task Entries_that_cannot_become_messages_are_left_out_and_handed_back_with_the_reason()
    {
        var (transport, session) = Create(maxPerBatch: 500);
        await using var owned = session;
        OutboxEntry[] entries =
        [
            Reading(1),
            new(2, Payloads.ReadingKind, "syn", s_t0, true, s_t0, "{\"kind\":\"counter\""u8.ToArray()),
            new(3, "reading.v9", "syn", s_t0, true, s_t0, "{}"u8.ToArray()),
            new(4, OutboxAbandonment.ItemKind, OutboxAbandonment.ItemDevice, s_t0, false, s_t0, "null"u8.ToArray()),
            new(5, Payloads.ScanKind, "scan1", s_t0, true, s_t0, "null"u8.ToArray()),
            Reading(6),
        ];
        var unsendable = new List<UnsendableEntry>();

        var messages = transport.Build(entries, replay: false, unsendable).ToList();

        Assert.Equal([1L, 6L], messages.SelectMany(m => Decode(m.Payload).Readings).Select(r => r.Seq));
        Assert.Equal([2L, 3L, 4L, 5L], unsendable.Select(u => u.Entry.Seq));
        Assert.Contains("unknown kind 'reading.v9'", unsendable[1].Reason, StringComparison.Ordinal);
        Assert.Equal("the payload is JSON null", unsendable[3].Reason);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Declarations_go_out_in_seq_order_as_a_retained_birth_carrying_them()
    {
        // A birth names the session of the current connection, so this one connects to a real broker first.
        var broker = await SharedMosquitto.GetAsync();
        var options = new GatewayOptions { Id = TestDirectories.UniqueToken("gw"), Site = "hz", Area = "wb" };
        options.Mqtt.Host = broker.Host;
        options.Mqtt.Port = broker.Port;
        await using var session = new MqttSession(options, new SessionCounter(TestDirectories.Create("session")), () => 0, () => [], new FixedClock(), TimeProvider.System, NullLoggerFactory.Instance, "1.0.0");
        session.Start();
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!session.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        Assert.True(session.IsConnected);
        var transport = new MqttTransport(session, UnopenedOutbox(), options.Id, 500, TimeProvider.System, NullLogger.Instance);
        var lost = new OutboxAbandonment(OutboxAbandonment.ReasonCorrupt, [new OutboxSeqRange(3, 4)], "outbox.db.corrupt-x: 1 item salvaged");
        var unused = new OutboxAbandonment(OutboxAbandonment.ReasonNeverAssigned, [new OutboxSeqRange(6, 99)], null);
        OutboxEntry[] entries = [Reading(1), Reading(2), Declaration(100, lost), Declaration(101, unused), Reading(102)];

        var messages = transport.Build(entries, replay: true).ToList();

        Assert.Equal(["readings", "birth", "readings"], messages.Select(m => m.Topic.Split('/')[^1]));
        Assert.Equal([false, true, false], messages.Select(m => m.Retain));
        Assert.True(ContractCodec.TryDecode<GatewayBirth>(messages[1].Payload, DateTimeOffset.UtcNow, out var birth, out var error), error?.ToString());
        Assert.False(birth.Replay);
        Assert.Equal("1.1", birth.Schema);
        Assert.Equal(101, birth.Seq);
        var declared = birth.Abandoned!;
        Assert.Equal([100L, 101L], declared.Select(d => d.Seq));
        Assert.Equal(SeqAbandonment.OutboxCorrupt, declared[0].Reason);
        Assert.Equal((3L, 4L), (declared[0].Ranges[0].From, declared[0].Ranges[0].To));
        Assert.Equal("outbox.db.corrupt-x: 1 item salvaged", declared[0].Note);
        Assert.Equal(SeqAbandonment.NeverAssigned, declared[1].Reason);
        Assert.Equal(s_t0, declared[1].Ts);
    }

    private static OutboxEntry Declaration(long seq, OutboxAbandonment declaration)
    {
        // The payload exactly as the outbox stores it.
        return new OutboxEntry(seq, OutboxAbandonment.ItemKind, OutboxAbandonment.ItemDevice, s_t0, false, s_t0, declaration.Encode());
    }

    private static ReadingBatch Decode(byte[] payload)
    {
        Assert.True(ContractCodec.TryDecode<ReadingBatch>(payload, DateTimeOffset.UtcNow, out var batch, out var error), error?.ToString());
        return batch;
    }

    private sealed class FixedClock : IClockSyncSource
    {
        public bool IsSynchronized => true;
    }
}
