namespace Edge.Serial;

/// <summary>Parity of each character (values match libserialport's <c>enum sp_parity</c>).</summary>
public enum SerialParity
{
    /// <summary>No parity bit.</summary>
    None = 0,

    /// <summary>Odd parity.</summary>
    Odd = 1,

    /// <summary>Even parity.</summary>
    Even = 2,

    /// <summary>Parity bit always 1 (Linux CMSPAR).</summary>
    Mark = 3,

    /// <summary>Parity bit always 0 (Linux CMSPAR).</summary>
    Space = 4,
}

/// <summary>Stop bits per character. Linux has no 1.5 stop bits.</summary>
public enum SerialStopBits
{
    /// <summary>One stop bit.</summary>
    One = 1,

    /// <summary>Two stop bits.</summary>
    Two = 2,
}

/// <summary>Flow control (values match libserialport's <c>enum sp_flowcontrol</c>).</summary>
public enum SerialFlowControl
{
    /// <summary>No flow control.</summary>
    None = 0,

    /// <summary>Software flow control with XON/XOFF characters in both directions.</summary>
    XonXoff = 1,

    /// <summary>Hardware flow control on the RTS/CTS lines.</summary>
    RtsCts = 2,
}

/// <summary>
/// Line settings of a serial port. Bindable from configuration; call <see cref="Validate"/> at start so that a wrong
/// value is reported with its key before any device is touched.
/// </summary>
public sealed record SerialPortSettings
{
    private static readonly int[] s_standardBaudRates =
    [
        50, 75, 110, 134, 150, 200, 300, 600, 1200, 1800, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400,
        460800, 500000, 576000, 921600, 1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
    ];

    /// <summary>Bits per second; one of the standard Linux rates (B50 … B4000000). Default 9600.</summary>
    public int BaudRate { get; set; } = 9600;

    /// <summary>Data bits per character, 5 to 8. Default 8.</summary>
    public int DataBits { get; set; } = 8;

    /// <summary>Parity. Default none.</summary>
    public SerialParity Parity { get; set; } = SerialParity.None;

    /// <summary>Stop bits. Default one.</summary>
    public SerialStopBits StopBits { get; set; } = SerialStopBits.One;

    /// <summary>Flow control. Default none.</summary>
    public SerialFlowControl FlowControl { get; set; } = SerialFlowControl.None;

    /// <summary>The baud rates Linux accepts without custom divisors.</summary>
    public static IReadOnlyList<int> StandardBaudRates => s_standardBaudRates;

    /// <summary>
    /// Every problem with these settings, each naming its key and the allowed values; empty when they are valid.
    /// </summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (Array.IndexOf(s_standardBaudRates, BaudRate) < 0)
        {
            errors.Add($"{nameof(BaudRate)} must be a standard Linux rate (e.g. 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200); got {BaudRate}.");
        }

        if (DataBits is < 5 or > 8)
        {
            errors.Add($"{nameof(DataBits)} must be 5, 6, 7 or 8; got {DataBits}.");
        }

        if (!Enum.IsDefined(Parity))
        {
            errors.Add($"{nameof(Parity)} must be one of None, Odd, Even, Mark, Space; got {Parity}.");
        }

        if (!Enum.IsDefined(StopBits))
        {
            errors.Add($"{nameof(StopBits)} must be One or Two; got {StopBits}.");
        }

        if (!Enum.IsDefined(FlowControl))
        {
            errors.Add($"{nameof(FlowControl)} must be one of None, XonXoff, RtsCts; got {FlowControl}.");
        }

        return errors;
    }

    /// <summary>Throws <see cref="ArgumentException"/> listing every problem <see cref="Validate"/> finds.</summary>
    public void ThrowIfInvalid()
    {
        var errors = Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid serial port settings: " + string.Join(" ", errors));
        }
    }

    /// <summary>The conventional short form, e.g. "9600 8E1 rtscts".</summary>
    public override string ToString()
    {
        var parity = Parity switch
        {
            SerialParity.Odd => 'O',
            SerialParity.Even => 'E',
            SerialParity.Mark => 'M',
            SerialParity.Space => 'S',
            _ => 'N',
        };
        var flow = FlowControl switch
        {
            SerialFlowControl.XonXoff => "xonxoff",
            SerialFlowControl.RtsCts => "rtscts",
            _ => "none",
        };
        return $"{BaudRate} {DataBits}{parity}{(int)StopBits} {flow}";
    }
}
