namespace Edge.Contracts;

/// <summary>
/// The documented limits a decoder enforces. Senders must stay within them; anything beyond is rejected with a
/// <see cref="DecodeError"/> instead of being half-accepted.
/// </summary>
public static class ContractLimits
{
    /// <summary>
    /// Largest payload accepted, in bytes (1 MiB): room for a full batch of <see cref="MaxReadingsPerBatch"/> weight
    /// readings (about 170 bytes each) during a backlog replay, while one bad gateway still cannot exhaust the hub.
    /// In normal operation gateways send batches of a few KiB.
    /// </summary>
    public const int MaxPayloadBytes = 1024 * 1024;

    /// <summary>Deepest nesting of JSON objects and arrays accepted. Real messages nest at most four levels.</summary>
    public const int MaxJsonDepth = 16;

    /// <summary>Most readings in one <see cref="ReadingBatch"/>.</summary>
    public const int MaxReadingsPerBatch = 5000;

    /// <summary>Most devices listed in one <see cref="GatewayBirth"/>.</summary>
    public const int MaxDevicesPerBirth = 256;

    /// <summary>Most ranges in one <see cref="Acknowledgement"/>.</summary>
    public const int MaxAckRanges = 1000;

    /// <summary>Most declarations in one <see cref="GatewayBirth.Abandoned"/> list.</summary>
    public const int MaxAbandonmentsPerBirth = 16;

    /// <summary>Most ranges in one <see cref="SeqAbandonment"/>.</summary>
    public const int MaxAbandonedRanges = 1000;

    /// <summary>Longest identifier (site, area, gateway, device, station, command and alert ids).</summary>
    public const int MaxIdLength = 64;

    /// <summary>Longest free text (health and alert messages, alert subjects).</summary>
    public const int MaxTextLength = 1024;

    /// <summary>Longest scanned code (barcode content or RFID EPC).</summary>
    public const int MaxCodeLength = 512;

    /// <summary>Longest short label (state labels, symbologies, software versions).</summary>
    public const int MaxLabelLength = 64;

    /// <summary>Longest unit symbol.</summary>
    public const int MaxUnitLength = 16;

    /// <summary>
    /// Largest sequence number: 2^53 − 1, the largest integer a JSON number keeps exactly in every language
    /// (JavaScript and many firmware JSON libraries parse numbers as IEEE doubles).
    /// </summary>
    public const long MaxSeq = 9_007_199_254_740_991;

    /// <summary>Largest weight magnitude in kilograms (1,000 t); beyond that a scale reading is garbage.</summary>
    public const double MaxAbsWeightKg = 1e6;

    /// <summary>Largest magnitude of an analog value, alert value or threshold.</summary>
    public const double MaxAbsValue = 1e12;

    /// <summary>Longest pulse a command may ask for, in seconds.</summary>
    public const double MaxPulseSeconds = 3600;

    /// <summary>How far in the future a timestamp may lie relative to the decoder's clock.</summary>
    public static readonly TimeSpan MaxFutureSkew = TimeSpan.FromHours(24);

    /// <summary>Longest time between a command's <c>issuedAt</c> and <c>expiresAt</c>.</summary>
    public static readonly TimeSpan MaxCommandLifetime = TimeSpan.FromHours(24);

    /// <summary>Earliest timestamp accepted (2000-01-01T00:00:00Z); earlier ones come from an unset clock.</summary>
    public static readonly DateTimeOffset MinTimestamp = new(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
}
