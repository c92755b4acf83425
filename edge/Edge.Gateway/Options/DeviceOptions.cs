using Edge.Contracts;
using Edge.Devices.Scales;

namespace Edge.Gateway.Options;

/// <summary>
/// One device (section <c>Gateway:Devices:N</c>). One flat shape for every type so that a config file reads the same
/// for all of them; each type uses the members its XML doc names and validation refuses the ones that do not apply.
/// </summary>
internal sealed class DeviceOptions
{
    /// <summary>The device id (1–64 of <c>[A-Za-z0-9_.-]</c>), unique on the gateway.</summary>
    public string Id { get; set; } = string.Empty;

    /// <summary>What it is: one of <see cref="DeviceTypes.All"/>.</summary>
    public string Type { get; set; } = string.Empty;

    /// <summary>Where it stands (weighbridge lane, bay, line station); required for scanners and RFID readers.</summary>
    public string? Station { get; set; }

    /// <summary>The plant area it belongs to, for people reading the config; not sent.</summary>
    public string? Area { get; set; }

    /// <summary>How it is connected.</summary>
    public ConnectionOptions Connection { get; set; } = new();

    /// <summary>Scale: the indicator protocol, one of <see cref="ScaleProtocols.All"/>.</summary>
    public string? Protocol { get; set; }

    /// <summary>Scale: the settling rule (N samples within ±d for T).</summary>
    public StabilityOptions Stability { get; set; } = new();

    /// <summary>Scale: Toledo checksum byte present / A12 checksum required.</summary>
    public bool Checksum { get; set; } = true;

    /// <summary>Scale (mt-sics): a command sent every <see cref="PollInterval"/> (e.g. <c>SI</c>); none when the balance streams by itself.</summary>
    public string? PollCommand { get; set; }

    /// <summary>Scale (xk3190-a9): the unit the indicator is calibrated in, which its frames do not carry.</summary>
    public WeightUnit Unit { get; set; } = WeightUnit.Kilogram;

    /// <summary>Scale (xk3190-a9, mt-sics): whether the indicator shows gross or net, which their frames do not say.</summary>
    public WeightMode ReportedMode { get; set; } = WeightMode.Gross;

    /// <summary>Scale: capacity in kg (heavier is overload).</summary>
    public double? CapacityKg { get; set; }

    /// <summary>Scale (regex protocol): the format.</summary>
    public RegexFormatOptions? Regex { get; set; }

    /// <summary>Scale (modbus protocol): the weight registers.</summary>
    public ModbusScaleOptions? ModbusWeight { get; set; }

    /// <summary>Scale: a weight that moved more than this from the last published one is published again (kg).</summary>
    public double Deadband { get; set; }

    /// <summary>Scale, PLC, pulse counter: the current value is published at least this often.</summary>
    public TimeSpan Heartbeat { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>PLC, Modbus scale and polled MT-SICS scale: how often the device is read.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>PLC: the register map file.</summary>
    public string? RegisterMapFile { get; set; }

    /// <summary>PLC: per-entry deadbands of analog values (in the entry's unit).</summary>
    public IDictionary<string, double> Deadbands { get; } = new Dictionary<string, double>(StringComparer.Ordinal);

    /// <summary>PLC: the most a counter can advance between two polls (larger backward steps are resets).</summary>
    public ulong MaxCounterDelta { get; set; } = 10_000;

    /// <summary>Scanner, RFID: the same code at the same station within this window is one read.</summary>
    public TimeSpan RepeatWindow { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Scanner, RFID: symbology sent with each scan (<c>code128</c>, <c>epc-gen2</c>).</summary>
    public string? Symbology { get; set; }

    /// <summary>Scanner, RFID: a regex with a named group <c>code</c> that extracts the code from a line.</summary>
    public string? CodePattern { get; set; }

    /// <summary>Pulse counter: edges closer than this are contact bounce.</summary>
    public TimeSpan Debounce { get; set; } = TimeSpan.FromMilliseconds(5);

    /// <summary>Pulse counter: how often the count is stored (bounds what a power cut loses).</summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Output: the level driven at start.</summary>
    public bool InitialValue { get; set; }

    /// <summary>Synthetic (tests and benchmarks): counter readings per second.</summary>
    public double RatePerSecond { get; set; } = 10;
}

/// <summary>How a device is connected (section <c>Gateway:Devices:N:Connection</c>).</summary>
internal sealed class ConnectionOptions
{
    /// <summary>One of <see cref="ConnectionKinds.All"/>.</summary>
    public string Kind { get; set; } = string.Empty;

    /// <summary>serial, modbus-rtu, evdev: the device path (<c>/dev/ttyUSB0</c>, a udev by-id link, a socat pty, <c>/dev/input/by-id/…-event-kbd</c>).</summary>
    public string? Path { get; set; }

    /// <summary>serial, modbus-rtu: baud rate.</summary>
    public int BaudRate { get; set; } = 9600;

    /// <summary>serial, modbus-rtu: parity (none, odd, even, mark, space).</summary>
    public string Parity { get; set; } = "none";

    /// <summary>serial, modbus-rtu: data bits (5–8).</summary>
    public int DataBits { get; set; } = 8;

    /// <summary>serial, modbus-rtu: stop bits (1 or 2).</summary>
    public int StopBits { get; set; } = 1;

    /// <summary>tcp, modbus-tcp: host.</summary>
    public string? Host { get; set; }

    /// <summary>tcp, modbus-tcp: port.</summary>
    public int Port { get; set; }

    /// <summary>modbus-tcp, modbus-rtu: unit (slave) id.</summary>
    public int SlaveId { get; set; } = 1;

    /// <summary>Output over Modbus: the coil address the output drives.</summary>
    public int? Coil { get; set; }

    /// <summary>modbus-tcp, modbus-rtu: how long a request waits for its answer.</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>gpio: the chip (<c>gpiochip0</c>).</summary>
    public string? Chip { get; set; }

    /// <summary>gpio: the line offset.</summary>
    public int? Line { get; set; }

    /// <summary>gpio: the line is active low.</summary>
    public bool ActiveLow { get; set; }

    /// <summary>evdev: the keyboard country the scanner is set up for (us, de).</summary>
    public string KeyboardLayout { get; set; } = "us";
}

/// <summary>The device types.</summary>
internal static class DeviceTypes
{
    public const string Scale = "scale";
    public const string Plc = "plc";
    public const string Scanner = "scanner";
    public const string Rfid = "rfid";
    public const string PulseCounter = "pulse-counter";
    public const string Output = "output";

    /// <summary>A generator of counter readings at a set rate, for tests and benchmarks (no hardware).</summary>
    public const string Synthetic = "synthetic";

    public static readonly string[] All = [Scale, Plc, Scanner, Rfid, PulseCounter, Output, Synthetic];
}

/// <summary>Scale protocols as written in configuration.</summary>
internal static class ScaleProtocols
{
    public static readonly string[] All = ["toledo-continuous", "mt-sics", "xk3190-a9", "xk3190-a12", "regex", "modbus"];

    public static ScaleProtocol Parse(string name) => name switch
    {
        "toledo-continuous" => ScaleProtocol.MettlerToledoContinuous,
        "mt-sics" => ScaleProtocol.MtSics,
        "xk3190-a9" => ScaleProtocol.Xk3190A9,
        "xk3190-a12" => ScaleProtocol.Xk3190A12,
        "regex" => ScaleProtocol.Regex,
        "modbus" => ScaleProtocol.Modbus,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "Not a scale protocol."),
    };
}

/// <summary>Connection kinds as written in configuration.</summary>
internal static class ConnectionKinds
{
    public const string Serial = "serial";
    public const string Tcp = "tcp";
    public const string ModbusTcp = "modbus-tcp";
    public const string ModbusRtu = "modbus-rtu";
    public const string Gpio = "gpio";
    public const string Evdev = "evdev";
    public const string None = "none";

    public static readonly string[] All = [Serial, Tcp, ModbusTcp, ModbusRtu, Gpio, Evdev, None];
}
