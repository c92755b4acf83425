using System.Text.Json.Serialization;

namespace Edge.Contracts;

/// <summary>
/// Gateway → hub on <c>edge/v1/{site}/{area}/{gateway}/scans</c>: one barcode or RFID read. Its
/// <see cref="GatewayMessage.Seq"/> is the scan's own number from the gateway's counter and its
/// <see cref="GatewayMessage.Ts"/> is when the code was read.
/// </summary>
public sealed record ScanEvent : GatewayMessage
{
    /// <inheritdoc/>
    [JsonIgnore]
    public override MessageKind Kind => MessageKind.Scans;

    /// <summary>The scanner or reader id as configured on the gateway.</summary>
    public required string Device { get; init; }

    /// <summary>Where the scan happened (weighbridge lane, warehouse bay, line station) as configured on the gateway.</summary>
    public required string Station { get; init; }

    /// <summary>The code read: barcode content, or the RFID EPC in hexadecimal.</summary>
    public required string Code { get; init; }

    /// <summary>Barcode or RFID.</summary>
    public required ScanTech Tech { get; init; }

    /// <summary>The symbology or air protocol when known, e.g. <c>code128</c>, <c>qr</c>, <c>epc-gen2</c>.</summary>
    public string? Symbology { get; init; }
}
