using Edge.Contracts;

namespace Edge.Devices.Scanners;

/// <summary>One accepted scan: a barcode's content or an RFID tag's EPC, normalised.</summary>
/// <param name="Device">The scanner or reader id.</param>
/// <param name="Station">Where it happened (lane, bay, line station).</param>
/// <param name="Code">The normalised code.</param>
/// <param name="Tech">Barcode or RFID.</param>
/// <param name="Symbology">The symbology or air protocol when configured (e.g. <c>code128</c>, <c>epc-gen2</c>).</param>
/// <param name="Timestamp">When the code was read, UTC.</param>
public sealed record ScanRead(string Device, string Station, string Code, ScanTech Tech, string? Symbology, DateTimeOffset Timestamp)
{
    /// <summary>The contract message for this scan.</summary>
    /// <param name="gatewayId">The gateway's id.</param>
    /// <param name="seq">The scan's sequence number from the gateway's counter.</param>
    /// <param name="clockSynced">Whether the gateway's clock was synchronised.</param>
    /// <returns>The scan event.</returns>
    public ScanEvent ToScanEvent(string gatewayId, long seq, bool clockSynced) => new()
    {
        GatewayId = gatewayId,
        Seq = seq,
        Ts = Timestamp,
        ClockSynced = clockSynced,
        Device = Device,
        Station = Station,
        Code = Code,
        Tech = Tech,
        Symbology = Symbology,
    };
}

/// <summary>Why a read did not become a scan.</summary>
public enum ScanRejection
{
    /// <summary>Not rejected.</summary>
    None = 0,

    /// <summary>Nothing left after trimming blanks and control characters.</summary>
    Empty,

    /// <summary>Longer than the contract allows (512 characters).</summary>
    TooLong,

    /// <summary>Control characters (other than the GS1 group separator) or non-ASCII characters inside the code.</summary>
    InvalidCharacters,

    /// <summary>An RFID read that is not hexadecimal.</summary>
    NotHex,

    /// <summary>An RFID EPC whose length is not one of the allowed lengths.</summary>
    BadLength,

    /// <summary>The line did not match the configured code pattern.</summary>
    NoMatch,
}

/// <summary>What happened to one read.</summary>
public enum ScanOutcome
{
    /// <summary>Accepted: a new scan.</summary>
    Accepted,

    /// <summary>A repeat of the same code at the same station within the window: dropped.</summary>
    Suppressed,

    /// <summary>Not a valid code: dropped and counted.</summary>
    Rejected,
}
