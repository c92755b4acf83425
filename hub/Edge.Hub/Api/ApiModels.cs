using System.Text.Json;
using System.Text.Json.Serialization;
using Edge.Hub.Hosting;

namespace Edge.Hub.Api;

/// <summary>A gateway in API answers.</summary>
/// <param name="Id">Gateway id.</param>
/// <param name="Site">Site id.</param>
/// <param name="Area">Area id.</param>
/// <param name="Expected">Listed in <c>Roster:Gateways</c>.</param>
/// <param name="Presence">online, offline, stale or unknown.</param>
/// <param name="BirthSession">Newest birth's session.</param>
/// <param name="BornAt">When that birth arrived.</param>
/// <param name="SoftwareVersion">From the birth.</param>
/// <param name="DeathSession">Newest death's session.</param>
/// <param name="DiedAt">When that death arrived.</param>
/// <param name="DeathGraceful">Clean shutdown (true) or Last Will (false).</param>
/// <param name="LastSeenAt">Last live message.</param>
/// <param name="StoredThrough">Acknowledged watermark.</param>
/// <param name="HighestSeq">Highest seq the gateway has named.</param>
/// <param name="UnackedBacklog">Highest seq minus watermark (derived; gateways do not report their outbox depth).</param>
/// <param name="MissingSeqs">Seqs missing longer than the gap grace.</param>
/// <param name="Devices">Its devices.</param>
/// <param name="AbandonedSeqs">Seqs the gateway declared abandoned that the hub had not stored: settled without data, readings may be lost.</param>
/// <param name="UnassignedSeqs">Seqs declared reserved but never assigned (nothing lost).</param>
/// <param name="RecoveredSeqs">Abandoned seqs whose data arrived later and was stored.</param>
/// <param name="Abandonments">The gateway's latest declarations (gateway detail only; absent in the list).</param>
internal sealed record GatewayDto(
    string Id,
    string Site,
    string Area,
    bool Expected,
    string Presence,
    long? BirthSession,
    DateTimeOffset? BornAt,
    string? SoftwareVersion,
    long? DeathSession,
    DateTimeOffset? DiedAt,
    bool? DeathGraceful,
    DateTimeOffset? LastSeenAt,
    long StoredThrough,
    long HighestSeq,
    long UnackedBacklog,
    long MissingSeqs,
    IReadOnlyList<DeviceDto> Devices,
    long AbandonedSeqs,
    long UnassignedSeqs,
    long RecoveredSeqs,
    IReadOnlyList<AbandonmentDto>? Abandonments);

/// <summary>One declaration of abandoned seqs.</summary>
/// <param name="Seq">The declaration's own seq.</param>
/// <param name="Reason"><c>outbox-corrupt</c>, <c>never-assigned</c>, or a newer reason.</param>
/// <param name="Ranges">The declared seqs, e.g. <c>88190-88201</c>.</param>
/// <param name="Declared">Seqs the ranges name.</param>
/// <param name="Abandoned">Of those, the ones the hub had not stored when it recorded the declaration.</param>
/// <param name="Note">The gateway's note.</param>
/// <param name="DeclaredAt">When the gateway made it.</param>
/// <param name="ReceivedAt">When the hub recorded it.</param>
internal sealed record AbandonmentDto(long Seq, string Reason, string Ranges, long Declared, long Abandoned, string? Note, DateTimeOffset DeclaredAt, DateTimeOffset ReceivedAt);

/// <summary>A device in API answers.</summary>
/// <param name="Id">Device id.</param>
/// <param name="Expected">Listed in configuration.</param>
/// <param name="Presence">ok, degraded, down, stale or unknown.</param>
/// <param name="ReportedState">What the gateway last reported.</param>
/// <param name="LastGoodReadAt">The gateway's last good read.</param>
/// <param name="ErrorCount">The gateway's error count.</param>
/// <param name="Message">The gateway's note.</param>
/// <param name="LastHeardAt">When the hub last heard of it.</param>
internal sealed record DeviceDto(string Id, bool Expected, string Presence, string? ReportedState, DateTimeOffset? LastGoodReadAt, long ErrorCount, string? Message, DateTimeOffset? LastHeardAt);

/// <summary>A latest value.</summary>
/// <param name="Gateway">Gateway id.</param>
/// <param name="Device">Device id.</param>
/// <param name="Channel">Channel, empty for single-value devices.</param>
/// <param name="Kind">weight, counter, analog or state.</param>
/// <param name="Value">The number.</param>
/// <param name="Text">Status or label.</param>
/// <param name="Unit">Unit.</param>
/// <param name="Ts">Measured at.</param>
/// <param name="Seq">Its seq.</param>
/// <param name="ReceivedAt">Stored at.</param>
internal sealed record LatestDto(string Gateway, string Device, string Channel, string Kind, double? Value, string? Text, string? Unit, DateTimeOffset Ts, long Seq, DateTimeOffset ReceivedAt);

/// <summary>A counter total.</summary>
/// <param name="Gateway">Gateway id.</param>
/// <param name="Device">Device id.</param>
/// <param name="Channel">Channel.</param>
/// <param name="Total">Sum of stored deltas.</param>
/// <param name="Readings">Readings summed.</param>
/// <param name="LastRaw">Newest raw value.</param>
/// <param name="Epoch">Newest epoch.</param>
/// <param name="Width">Width in bits.</param>
/// <param name="LastTs">Newest timestamp.</param>
/// <param name="LastSeq">Newest seq.</param>
internal sealed record CounterDto(string Gateway, string Device, string Channel, long Total, long Readings, long LastRaw, long Epoch, int Width, DateTimeOffset LastTs, long LastSeq);

/// <summary>A scan.</summary>
/// <param name="Gateway">Gateway id.</param>
/// <param name="Seq">Its seq.</param>
/// <param name="Site">Site.</param>
/// <param name="Area">Area.</param>
/// <param name="Device">Scanner.</param>
/// <param name="Station">Station.</param>
/// <param name="Code">Code.</param>
/// <param name="Tech">barcode or rfid.</param>
/// <param name="Symbology">Symbology.</param>
/// <param name="Ts">Read at.</param>
/// <param name="ReceivedAt">Stored at.</param>
internal sealed record ScanDto(string Gateway, long Seq, string Site, string Area, string Device, string Station, string Code, string Tech, string? Symbology, DateTimeOffset Ts, DateTimeOffset ReceivedAt);

/// <summary>A page of scans.</summary>
/// <param name="Items">Newest seq first.</param>
/// <param name="NextBefore">Pass as <c>before</c> for the next page; null on the last.</param>
internal sealed record ScanPageDto(IReadOnlyList<ScanDto> Items, long? NextBefore);

/// <summary>A dead letter.</summary>
/// <param name="Id">Its id.</param>
/// <param name="ReceivedAt">When it was refused.</param>
/// <param name="Source">Gateway id, <c>topic …</c> or <c>influx</c>.</param>
/// <param name="Kind"><c>mqtt</c> (a refused message, bounded by the caps) or <c>influx</c> (a line InfluxDB refused: the reading's only copy, never evicted).</param>
/// <param name="Topic">MQTT topic.</param>
/// <param name="Reason">Why.</param>
/// <param name="Origin">For InfluxDB letters: gateway and seqs.</param>
/// <param name="PayloadBytes">Full payload length.</param>
/// <param name="Truncated">Whether only the start is kept.</param>
/// <param name="PayloadBase64">The kept payload.</param>
internal sealed record DeadLetterDto(long Id, DateTimeOffset ReceivedAt, string Source, string Kind, string? Topic, string Reason, string? Origin, int PayloadBytes, bool Truncated, string PayloadBase64);

/// <summary>A page of dead letters with the store's counts.</summary>
/// <param name="Items">Newest first.</param>
/// <param name="NextBefore">Pass as <c>before</c> for the next page; null on the last.</param>
/// <param name="Stored">Letters held.</param>
/// <param name="Total">Letters ever stored.</param>
/// <param name="Evicted">Letters evicted by the caps.</param>
internal sealed record DeadLetterPageDto(IReadOnlyList<DeadLetterDto> Items, long? NextBefore, long Stored, long Total, long Evicted);

/// <summary>The outcome of a purge.</summary>
/// <param name="Deleted">Letters deleted.</param>
/// <param name="Kind">The kind deleted: <c>mqtt</c> unless <c>kind=influx</c> was asked for.</param>
/// <param name="Remaining">Letters still stored (of the other kind).</param>
internal sealed record PurgeDto(long Deleted, string Kind, long Remaining);

/// <summary>The caller.</summary>
/// <param name="Name">The key holder's name.</param>
/// <param name="Role">The key's role.</param>
internal sealed record WhoAmIDto(string Name, string Role);

/// <summary>The liveness answer.</summary>
/// <param name="Status">Always <c>alive</c>.</param>
internal sealed record LivenessDto(string Status);

/// <summary>Serialization metadata of the HTTP API (camelCase, nulls omitted).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(GatewayDto))]
[JsonSerializable(typeof(IReadOnlyList<GatewayDto>))]
[JsonSerializable(typeof(IReadOnlyList<DeviceDto>))]
[JsonSerializable(typeof(IReadOnlyList<LatestDto>))]
[JsonSerializable(typeof(IReadOnlyList<CounterDto>))]
[JsonSerializable(typeof(ScanPageDto))]
[JsonSerializable(typeof(DeadLetterPageDto))]
[JsonSerializable(typeof(PurgeDto))]
[JsonSerializable(typeof(WhoAmIDto))]
[JsonSerializable(typeof(LivenessDto))]
[JsonSerializable(typeof(ReadinessReport))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
