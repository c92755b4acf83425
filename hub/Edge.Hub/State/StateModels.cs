using Edge.Contracts;

namespace Edge.Hub.State;

/// <summary>Where a gateway publishes: the site and area segments of its topics and its id.</summary>
/// <param name="Site">The site id.</param>
/// <param name="Area">The area id.</param>
/// <param name="GatewayId">The gateway id (unique across the plant: the dedup key is gateway and seq).</param>
internal readonly record struct GatewayAddress(string Site, string Area, string GatewayId)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Site}/{Area}/{GatewayId}";
}

/// <summary>One unit of work for <see cref="IStateStore.Commit"/>; a batch of them commits in one transaction.</summary>
internal abstract record StoreWork(GatewayAddress Gateway, DateTimeOffset ReceivedAt);

/// <summary>Readings InfluxDB has settled (written or dead-lettered): record their receipt, latest values and counter totals.</summary>
/// <param name="Gateway">The sender.</param>
/// <param name="ReceivedAt">When the hub received the batch.</param>
/// <param name="Readings">The readings sent to InfluxDB (a batch minus the seqs already known to be stored).</param>
/// <param name="DeadLettered">Indexes into <paramref name="Readings"/> that InfluxDB refused; they count as stored (their dead letter is) but do not change latest values or totals.</param>
/// <param name="HighestSeen">The batch's seq (its highest reading seq), for the backlog figure.</param>
/// <param name="Live">Whether the gateway sent it live (<c>replay: false</c>).</param>
internal sealed record StoreReadings(
    GatewayAddress Gateway,
    DateTimeOffset ReceivedAt,
    IReadOnlyList<Reading> Readings,
    IReadOnlySet<int> DeadLettered,
    long HighestSeen,
    bool Live) : StoreWork(Gateway, ReceivedAt);

/// <summary>A scan InfluxDB has settled.</summary>
/// <param name="Gateway">The sender.</param>
/// <param name="ReceivedAt">When the hub received it.</param>
/// <param name="Scan">The scan.</param>
/// <param name="DeadLettered">Whether InfluxDB refused its point (the scan row is kept: it is the plant's record).</param>
internal sealed record StoreScan(GatewayAddress Gateway, DateTimeOffset ReceivedAt, ScanEvent Scan, bool DeadLettered) : StoreWork(Gateway, ReceivedAt);

/// <summary>A message that only proves the gateway is alive or says what it has: a batch whose seqs were all stored already, for instance.</summary>
/// <param name="Gateway">The sender.</param>
/// <param name="ReceivedAt">When the hub received it.</param>
/// <param name="HighestSeen">The highest seq the message names.</param>
/// <param name="Duplicates">How many of its seqs were already stored or in flight.</param>
internal sealed record StoreSeen(GatewayAddress Gateway, DateTimeOffset ReceivedAt, long HighestSeen, int Duplicates) : StoreWork(Gateway, ReceivedAt);

/// <summary>A birth; recorded when its session is not older than the one on file.</summary>
/// <param name="Gateway">The sender.</param>
/// <param name="ReceivedAt">When the hub received it.</param>
/// <param name="Birth">The message.</param>
/// <param name="Retained">Whether the broker replayed it from its retained store (no sign of life now).</param>
internal sealed record StoreBirth(GatewayAddress Gateway, DateTimeOffset ReceivedAt, GatewayBirth Birth, bool Retained) : StoreWork(Gateway, ReceivedAt);

/// <summary>A death (Last Will or graceful); recorded when its session is not older than the one on file.</summary>
/// <param name="Gateway">The sender.</param>
/// <param name="ReceivedAt">When the hub received it.</param>
/// <param name="Death">The message.</param>
internal sealed record StoreDeath(GatewayAddress Gateway, DateTimeOffset ReceivedAt, GatewayDeath Death) : StoreWork(Gateway, ReceivedAt);

/// <summary>A device health report; recorded when not older than the one on file.</summary>
/// <param name="Gateway">The sender.</param>
/// <param name="ReceivedAt">When the hub received it.</param>
/// <param name="Health">The message.</param>
/// <param name="Retained">Whether the broker replayed it from its retained store.</param>
internal sealed record StoreHealth(GatewayAddress Gateway, DateTimeOffset ReceivedAt, DeviceHealth Health, bool Retained) : StoreWork(Gateway, ReceivedAt);

/// <summary>What one commit did for one gateway.</summary>
/// <param name="Gateway">The gateway.</param>
/// <param name="Ack">Its settled seqs after the commit (stored, or declared abandoned; a copy).</param>
/// <param name="NewReadings">Readings recorded for the first time.</param>
/// <param name="NewScans">Scans recorded for the first time.</param>
/// <param name="Duplicates">Readings and scans found already stored, inside the transaction.</param>
/// <param name="HighestSeen">The highest seq the gateway has named.</param>
/// <param name="NeedsAck">Whether the work touched seqs, so the gateway is owed an acknowledgement.</param>
/// <param name="Abandonment">Its abandoned seqs and their totals after the commit (a copy).</param>
internal sealed record GatewayCommit(GatewayAddress Gateway, AckState Ack, int NewReadings, int NewScans, long Duplicates, long HighestSeen, bool NeedsAck, AbandonmentState Abandonment);

/// <summary>
/// A gateway's abandoned seqs: settled by its declarations without data, with running totals. The totals only grow;
/// <see cref="Outstanding"/> shrinks when a reading of an abandoned seq arrives after all.
/// </summary>
/// <param name="Outstanding">Seqs settled without data, that no reading has filled since.</param>
/// <param name="Lost">Seqs settled without data by declarations whose reason says readings may be lost (anything but never-assigned).</param>
/// <param name="Unassigned">Seqs settled without data by never-assigned declarations.</param>
/// <param name="Recovered">Abandoned seqs whose reading or scan arrived later and was stored.</param>
internal sealed record AbandonmentState(SeqSet Outstanding, long Lost, long Unassigned, long Recovered)
{
    /// <summary>Nothing abandoned.</summary>
    public static AbandonmentState None => new(new SeqSet(), 0, 0, 0);
}

/// <summary>One declaration of abandoned seqs as the state store recorded it.</summary>
/// <param name="GatewayId">The gateway.</param>
/// <param name="Seq">The declaration's own seq.</param>
/// <param name="Reason">The gateway's reason (<c>outbox-corrupt</c>, <c>never-assigned</c>, …).</param>
/// <param name="Ranges">The declared ranges as text (<c>12-15,20-20</c>).</param>
/// <param name="Declared">Seqs the ranges name.</param>
/// <param name="Abandoned">Of those, the ones the hub had not stored: settled without data by this declaration.</param>
/// <param name="Note">The gateway's note.</param>
/// <param name="DeclaredAt">When the gateway made it.</param>
/// <param name="ReceivedAt">When the hub recorded it.</param>
internal sealed record StoredAbandonment(string GatewayId, long Seq, string Reason, string Ranges, long Declared, long Abandoned, string? Note, DateTimeOffset DeclaredAt, DateTimeOffset ReceivedAt);

/// <summary>The acknowledgement state of a gateway as loaded at start.</summary>
/// <param name="Gateway">The gateway.</param>
/// <param name="Ack">Its stored seqs.</param>
/// <param name="HighestSeen">The highest seq it named.</param>
/// <param name="ReadingsStored">Readings stored so far.</param>
/// <param name="ScansStored">Scans stored so far.</param>
/// <param name="Duplicates">Duplicates dropped so far.</param>
/// <param name="Abandonment">Its abandoned seqs and totals.</param>
internal sealed record StoredAckState(GatewayAddress Gateway, AckState Ack, long HighestSeen, long ReadingsStored, long ScansStored, long Duplicates, AbandonmentState Abandonment);

/// <summary>A gateway as the roster tables hold it.</summary>
/// <param name="Gateway">Address.</param>
/// <param name="BirthSession">Session of the newest birth, if any.</param>
/// <param name="BirthSeq">The high-water mark the birth carried.</param>
/// <param name="BirthTs">The birth's timestamp.</param>
/// <param name="BirthReceivedAt">When the hub received it.</param>
/// <param name="SoftwareVersion">From the birth.</param>
/// <param name="DeathSession">Session of the newest death, if any.</param>
/// <param name="DeathGraceful">Whether that death was a clean shutdown.</param>
/// <param name="DeathReceivedAt">When the hub received it (the moment the gateway was lost).</param>
/// <param name="LastSeenAt">The last live message from it.</param>
/// <param name="Devices">Its devices as last reported.</param>
internal sealed record StoredGateway(
    GatewayAddress Gateway,
    long? BirthSession,
    long? BirthSeq,
    DateTimeOffset? BirthTs,
    DateTimeOffset? BirthReceivedAt,
    string? SoftwareVersion,
    long? DeathSession,
    bool? DeathGraceful,
    DateTimeOffset? DeathReceivedAt,
    DateTimeOffset? LastSeenAt,
    IReadOnlyList<StoredDevice> Devices);

/// <summary>A device as last reported by birth or health.</summary>
/// <param name="Device">The device id.</param>
/// <param name="State">ok, degraded or down.</param>
/// <param name="LastGoodReadAt">Last good read, if reported.</param>
/// <param name="ErrorCount">Errors counted by the gateway.</param>
/// <param name="Message">The gateway's note, if any.</param>
/// <param name="ReportedAt">The timestamp of the report.</param>
internal sealed record StoredDevice(string Device, DeviceState State, DateTimeOffset? LastGoodReadAt, long ErrorCount, string? Message, DateTimeOffset ReportedAt);

/// <summary>The latest value of one device channel.</summary>
/// <param name="GatewayId">The gateway.</param>
/// <param name="Device">The device.</param>
/// <param name="Channel">The channel; empty for a single-value device.</param>
/// <param name="Kind">weight, counter, analog or state.</param>
/// <param name="Value">The number (kg, raw count, analog value, state value); null for a weight without a number.</param>
/// <param name="Text">A label or status text, if any.</param>
/// <param name="Unit">The unit, if any.</param>
/// <param name="Ts">When it was measured.</param>
/// <param name="Seq">Its seq.</param>
/// <param name="ReceivedAt">When the hub stored it.</param>
internal sealed record LatestReading(string GatewayId, string Device, string Channel, string Kind, double? Value, string? Text, string? Unit, DateTimeOffset Ts, long Seq, DateTimeOffset ReceivedAt);

/// <summary>The running total of one counter channel: the sum of its stored deltas.</summary>
/// <param name="GatewayId">The gateway.</param>
/// <param name="Device">The device.</param>
/// <param name="Channel">The channel; empty when none.</param>
/// <param name="Total">Sum of deltas of every stored reading.</param>
/// <param name="Readings">How many readings were added.</param>
/// <param name="LastRaw">Raw value of the newest reading.</param>
/// <param name="Epoch">Epoch of the newest reading.</param>
/// <param name="Width">Counter width in bits.</param>
/// <param name="LastTs">Timestamp of the newest reading.</param>
/// <param name="LastSeq">Seq of the newest reading.</param>
internal sealed record CounterTotal(string GatewayId, string Device, string Channel, long Total, long Readings, long LastRaw, long Epoch, int Width, DateTimeOffset LastTs, long LastSeq);

/// <summary>A stored scan.</summary>
/// <param name="GatewayId">The gateway.</param>
/// <param name="Seq">Its seq.</param>
/// <param name="Site">Site.</param>
/// <param name="Area">Area.</param>
/// <param name="Device">Scanner.</param>
/// <param name="Station">Station.</param>
/// <param name="Code">Barcode content or EPC.</param>
/// <param name="Tech">barcode or rfid.</param>
/// <param name="Symbology">Symbology, if reported.</param>
/// <param name="Ts">When it was read.</param>
/// <param name="ReceivedAt">When the hub stored it.</param>
internal sealed record StoredScan(string GatewayId, long Seq, string Site, string Area, string Device, string Station, string Code, string Tech, string? Symbology, DateTimeOffset Ts, DateTimeOffset ReceivedAt);

/// <summary>Where a dead letter came from, which decides whether the store may cut or evict it.</summary>
internal enum DeadLetterKind
{
    /// <summary>
    /// An MQTT message the hub refused (decode error, forged topic, oversized, internal failure). Anyone who can
    /// publish can make these, so they are truncated and the oldest evicted beyond the <c>DeadLetters</c> caps.
    /// </summary>
    Mqtt,

    /// <summary>
    /// A line InfluxDB refused for good. Its seq is acknowledged and the gateway deletes its copy, so the letter is
    /// the reading's only record: stored whole and never evicted by the caps.
    /// </summary>
    Influx,
}

/// <summary>A payload or line set aside.</summary>
/// <param name="ReceivedAt">When.</param>
/// <param name="Source">Who sent it: the gateway id when the topic names one, else <c>topic</c> or <c>influx</c>.</param>
/// <param name="Topic">The MQTT topic it came on, if any.</param>
/// <param name="Reason">Why it was refused.</param>
/// <param name="Payload">The payload (or line protocol), possibly truncated.</param>
/// <param name="PayloadBytes">The full payload length.</param>
/// <param name="Origin">For InfluxDB letters: the gateway and seqs of the points.</param>
/// <param name="Kind">What it stands for; decides whether the caps apply (the source text could be forged by a topic).</param>
internal sealed record DeadLetterRecord(DateTimeOffset ReceivedAt, string Source, string? Topic, string Reason, ReadOnlyMemory<byte> Payload, int PayloadBytes, string? Origin, DeadLetterKind Kind = DeadLetterKind.Mqtt)
{
    /// <summary>Whether <see cref="Payload"/> is shorter than the original.</summary>
    public bool Truncated => Payload.Length < PayloadBytes;
}

/// <summary>A dead letter read back from the store.</summary>
/// <param name="Id">Ascending id; pages go by it.</param>
/// <param name="Letter">The letter.</param>
internal sealed record StoredDeadLetter(long Id, DeadLetterRecord Letter);

/// <summary>Dead-letter bookkeeping.</summary>
/// <param name="Rows">Letters held now.</param>
/// <param name="PayloadBytes">Bytes of payload held now.</param>
/// <param name="Total">Letters ever added.</param>
/// <param name="Evicted">Letters removed to stay within the caps (MQTT letters only).</param>
internal sealed record DeadLetterStats(long Rows, long PayloadBytes, long Total, long Evicted);
