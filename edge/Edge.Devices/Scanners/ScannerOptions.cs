using System.Text.RegularExpressions;
using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Devices.Scanners;

/// <summary>Where a scanner's reads come from; the gateway opens the matching binding.</summary>
public enum ScannerSource
{
    /// <summary>A USB keyboard-wedge scanner read through evdev (Edge.Evdev gives whole scanned strings).</summary>
    EvdevKeyboard,

    /// <summary>A serial scanner or reader sending one code per line (Edge.Serial).</summary>
    Serial,

    /// <summary>A network scanner or reader sending one code per line over TCP.</summary>
    Tcp,
}

/// <summary>One barcode scanner or RFID reader (configuration section <c>Devices:Scanners:N</c>).</summary>
public sealed class ScannerOptions
{
    /// <summary>The device id (1–64 of <c>[A-Za-z0-9_.-]</c>).</summary>
    public string DeviceId { get; set; } = string.Empty;

    /// <summary>Where the scans happen (lane, bay, line station), an id.</summary>
    public string Station { get; set; } = string.Empty;

    /// <summary>Barcode or RFID.</summary>
    public ScanTech Tech { get; set; } = ScanTech.Barcode;

    /// <summary>The binding that delivers the reads.</summary>
    public ScannerSource Source { get; set; } = ScannerSource.EvdevKeyboard;

    /// <summary>The symbology or air protocol to report, when fixed (e.g. <c>code128</c>, <c>epc-gen2</c>).</summary>
    public string? Symbology { get; set; }

    /// <summary>
    /// Optional pattern that extracts the code from a line, with a named group <c>code</c> (e.g. an RFID reader's
    /// <c>^EPC:(?&lt;code&gt;[0-9A-F ]+),RSSI</c>); lines that do not match are rejected. Without it the whole line is the code.
    /// </summary>
    public string? CodePattern { get; set; }

    /// <summary>Repeats of the same code at this station within this window are suppressed. Default 3 s; 0 disables.</summary>
    public TimeSpan RepeatWindow { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Whether each repeat restarts the window (keeps a parked RFID tag suppressed). Default <see langword="true"/>.</summary>
    public bool SlidingWindow { get; set; } = true;

    /// <summary>RFID: allowed numbers of hex digits (e.g. 24 for EPC-96); empty for any whole number of 16-bit words.</summary>
    public IList<int> EpcHexLengths { get; } = [];

    /// <summary>Line framing for serial and TCP sources. Default: CR or LF ends a code.</summary>
    public FramingOptions Framing { get; set; } = new() { MaxFrameLength = ContractLimits.MaxCodeLength + 64 };

    /// <summary>Retry delays while the source fails.</summary>
    public BackoffOptions Backoff { get; set; } = new();

    /// <summary>
    /// When the scanner counts as degraded or down. Scanners are silent for long stretches, so staleness rarely means
    /// failure; by default only source errors degrade them (staleness thresholds of a year).
    /// </summary>
    public DeviceHealthOptions Health { get; set; } = new()
    {
        DegradedWhenStaleFor = TimeSpan.FromDays(365),
        DownWhenStaleFor = TimeSpan.FromDays(366),
    };

    /// <summary>Lists every problem, each naming its key under <paramref name="path"/>.</summary>
    /// <param name="path">The configuration path of this section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public IReadOnlyList<string> Validate(string path)
    {
        var e = new OptionErrors();
        e.RequireId(path, nameof(DeviceId), DeviceId);
        e.RequireId(path, nameof(Station), Station);
        e.RequireDefined(path, nameof(Tech), Tech);
        e.RequireDefined(path, nameof(Source), Source);
        e.RequireNonNegative(path, nameof(RepeatWindow), RepeatWindow);
        if (Symbology is not null && (Symbology.Length == 0 || Symbology.Length > ContractLimits.MaxLabelLength))
        {
            e.Add(path, nameof(Symbology), $"must be 1-{ContractLimits.MaxLabelLength} characters when set");
        }

        foreach (var length in EpcHexLengths)
        {
            if (length is < 4 or > 124 || length % 4 != 0)
            {
                e.Add(path, nameof(EpcHexLengths), $"{length} is not a whole number of 16-bit words between 4 and 124 hex digits");
            }
        }

        if (CodePattern is not null)
        {
            try
            {
                var regex = new Regex(CodePattern, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
                if (regex.GroupNumberFromName("code") < 0)
                {
                    e.Add(path, nameof(CodePattern), "must have a named group 'code'");
                }
            }
            catch (ArgumentException ex)
            {
                e.Add(path, nameof(CodePattern), "is not a valid regular expression: " + ex.Message);
            }
        }

        if (Framing is null || Backoff is null || Health is null)
        {
            e.Add(path, Framing is null ? nameof(Framing) : Backoff is null ? nameof(Backoff) : nameof(Health), "is required");
        }
        else
        {
            e.AddRange(Framing.Validate(OptionErrors.Key(path, nameof(Framing))));
            e.AddRange(Backoff.Validate(OptionErrors.Key(path, nameof(Backoff))));
            e.AddRange(Health.Validate(OptionErrors.Key(path, nameof(Health))));
        }

        return e.Errors;
    }
}
