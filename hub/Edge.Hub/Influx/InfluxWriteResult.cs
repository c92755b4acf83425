namespace Edge.Hub.Influx;

/// <summary>
/// What became of one enqueued group of points: every point was either written (InfluxDB answered 2xx for a request
/// that carried it) or dead-lettered.
/// </summary>
/// <param name="Count">How many points the group had.</param>
/// <param name="DeadLettered">The points set aside, by their index in the enqueued list; empty when all were written.</param>
internal sealed record InfluxWriteResult(int Count, IReadOnlyList<DeadLetteredPoint> DeadLettered)
{
    /// <summary>How many points InfluxDB stored.</summary>
    public int Written => Count - DeadLettered.Count;

    /// <summary>Whether InfluxDB stored every point.</summary>
    public bool AllWritten => DeadLettered.Count == 0;
}

/// <summary>A point of an enqueued group that went to the <see cref="IDeadLetterSink"/>.</summary>
/// <param name="Index">Its index in the list given to the enqueue call.</param>
/// <param name="Reason">Why (the same text as in the dead letter).</param>
internal readonly record struct DeadLetteredPoint(int Index, string Reason);

/// <summary>Whether the writer is getting its data into InfluxDB.</summary>
internal enum InfluxWriterState
{
    /// <summary>The last request was answered (or none was needed yet).</summary>
    Healthy,

    /// <summary>Transient failures (network, 429, 5xx): backing off and retrying.</summary>
    Retrying,

    /// <summary>InfluxDB refuses the writer itself (credentials, missing database): holding all data and retrying slowly.</summary>
    Held,
}

/// <summary>An alarm that needs a person: the writer cannot fix it by retrying.</summary>
internal enum InfluxAlarm
{
    /// <summary>No alarm.</summary>
    None,

    /// <summary>InfluxDB answered 401 or 403: the credentials are wrong or lack the write privilege.</summary>
    AuthenticationFailed,

    /// <summary>The database or retention policy does not exist.</summary>
    DestinationMissing,
}

/// <summary>A snapshot of the writer's health.</summary>
/// <param name="State">Healthy, retrying or held.</param>
/// <param name="Alarm">The alarm raised, if any (only while <see cref="InfluxWriterState.Held"/>).</param>
/// <param name="LastStatusCode">The HTTP status of the last failed request; <see langword="null"/> for a network error or when healthy.</param>
/// <param name="LastError">The last failure, for people; <see langword="null"/> when healthy.</param>
/// <param name="Since">When this state began.</param>
internal sealed record InfluxWriterStatus(InfluxWriterState State, InfluxAlarm Alarm, int? LastStatusCode, string? LastError, DateTimeOffset Since);
