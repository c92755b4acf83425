using Edge.Contracts;
using Edge.Devices.Gpio;
using Edge.Devices.Plc;
using Edge.Devices.Scales;
using Edge.Devices.Scanners;
using Edge.Modbus;
using Edge.Serial;

namespace Edge.Gateway.Options;

/// <summary>Turns the gateway's flat device section into the option types of Edge.Devices and the bindings.</summary>
internal static class DeviceOptionMapping
{
    public static ScaleOptions Scale(DeviceOptions d) => new()
    {
        DeviceId = d.Id,
        Protocol = ScaleProtocols.Parse(d.Protocol ?? string.Empty),
        Checksum = d.Checksum,
        Unit = d.Unit,
        ReportedMode = d.ReportedMode,
        PollCommand = d.PollCommand,
        CapacityKg = d.CapacityKg,
        Stability = d.Stability,
        Regex = d.Regex ?? new RegexFormatOptions(),
        Modbus = ModbusWeight(d),
        PollInterval = d.PollInterval,
    };

    public static PlcDeviceOptions Plc(DeviceOptions d)
    {
        var o = new PlcDeviceOptions
        {
            DeviceId = d.Id,
            SlaveId = (byte)Math.Clamp(d.Connection.SlaveId, 0, 255),
            RegisterMapFile = d.RegisterMapFile ?? string.Empty,
            PollInterval = d.PollInterval,
            Heartbeat = d.Heartbeat,
            DefaultDeadband = d.Deadband,
            MaxPlausibleCounterDelta = d.MaxCounterDelta,
        };
        foreach (var (name, deadband) in d.Deadbands)
        {
            o.Deadbands[name] = deadband;
        }

        return o;
    }

    public static ScannerOptions Scanner(DeviceOptions d)
    {
        var o = new ScannerOptions
        {
            DeviceId = d.Id,
            Station = d.Station ?? string.Empty,
            Tech = d.Type == DeviceTypes.Rfid ? ScanTech.Rfid : ScanTech.Barcode,
            Source = d.Connection.Kind switch
            {
                ConnectionKinds.Serial => ScannerSource.Serial,
                ConnectionKinds.Evdev => ScannerSource.EvdevKeyboard,
                _ => ScannerSource.Tcp,
            },
            Symbology = d.Symbology,
            CodePattern = d.CodePattern,
            RepeatWindow = d.RepeatWindow,
        };
        return o;
    }

    public static PulseCounterOptions PulseCounter(DeviceOptions d) => new()
    {
        DeviceId = d.Id,
        Chip = d.Connection.Chip ?? string.Empty,
        Line = d.Connection.Line ?? 0,
        Debounce = d.Debounce,
        FlushInterval = d.FlushInterval,
        Heartbeat = d.Heartbeat,
    };

    public static SerialPortSettings SerialSettings(ConnectionOptions c) => new()
    {
        BaudRate = c.BaudRate,
        DataBits = c.DataBits,
        Parity = c.Parity switch
        {
            "odd" => SerialParity.Odd,
            "even" => SerialParity.Even,
            "mark" => SerialParity.Mark,
            "space" => SerialParity.Space,
            _ => SerialParity.None,
        },
        StopBits = c.StopBits == 2 ? SerialStopBits.Two : SerialStopBits.One,
    };

    public static ModbusParity ModbusParity(ConnectionOptions c) => c.Parity switch
    {
        "odd" => Edge.Modbus.ModbusParity.Odd,
        "even" => Edge.Modbus.ModbusParity.Even,
        _ => Edge.Modbus.ModbusParity.None,
    };

    private static ModbusScaleOptions ModbusWeight(DeviceOptions d)
    {
        var w = d.ModbusWeight ?? new ModbusScaleOptions();
        w.SlaveId = (byte)Math.Clamp(d.Connection.SlaveId, 0, 255);
        return w;
    }
}
