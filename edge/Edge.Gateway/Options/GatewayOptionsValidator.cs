using System.Globalization;
using Edge.Contracts;
using Edge.Contracts.RegisterMaps;
using Edge.Devices.Plc;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Options;

/// <summary>
/// Checks every gateway option at start. Each failure names the exact configuration key
/// (<c>Gateway:Devices:3:Protocol</c>) and what is allowed, so an operator can fix the file without reading code.
/// </summary>
internal sealed class GatewayOptionsValidator : IValidateOptions<GatewayOptions>
{
    private const string S = GatewayOptions.SectionName;

    /// <summary>Device ids the gateway uses for itself in health reports.</summary>
    public const string OutboxHealthDevice = "gateway.outbox";

    public ValidateOptionsResult Validate(string? name, GatewayOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = Collect(options);
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static List<string> Collect(GatewayOptions o)
    {
        var e = new List<string>();
        Id(e, $"{S}:Id", o.Id);
        Id(e, $"{S}:Site", o.Site);
        Id(e, $"{S}:Area", o.Area);
        if (string.Equals(o.Area, TopicTemplate.AlertsSegment, StringComparison.Ordinal))
        {
            e.Add($"{S}:Area: '{o.Area}' is reserved for alert topics; choose another area id.");
        }

        if (string.IsNullOrWhiteSpace(o.StateDirectory))
        {
            e.Add($"{S}:StateDirectory: is required (a writable directory such as /var/lib/edge-gateway).");
        }

        Positive(e, $"{S}:ShutdownTimeout", o.ShutdownTimeout, TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(5));
        ValidateMqtt(e, o.Mqtt);
        ValidateOutbox(e, o.Outbox);
        ValidatePublishing(e, o.Publishing);

        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < o.Devices.Count; i++)
        {
            var d = o.Devices[i];
            var path = string.Create(CultureInfo.InvariantCulture, $"{S}:Devices:{i}");
            if (d is null)
            {
                e.Add($"{path}: is empty.");
                continue;
            }

            if (!string.IsNullOrEmpty(d.Id))
            {
                if (seen.TryGetValue(d.Id, out var first))
                {
                    e.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:Id: '{d.Id}' is already the id of {S}:Devices:{first}; ids must be unique."));
                }
                else
                {
                    seen[d.Id] = i;
                }

                if (string.Equals(d.Id, OutboxHealthDevice, StringComparison.Ordinal))
                {
                    e.Add($"{path}:Id: '{OutboxHealthDevice}' is reserved for the outbox's own health report.");
                }
            }

            ValidateDevice(e, path, d);
        }

        return e;
    }

    private static void ValidateMqtt(List<string> e, GatewayMqttOptions? m)
    {
        var p = $"{S}:Mqtt";
        if (m is null)
        {
            e.Add($"{p}: is required.");
            return;
        }

        if (string.IsNullOrWhiteSpace(m.Host))
        {
            e.Add($"{p}:Host: is required (a host name or IP address of the broker).");
        }

        IntRange(e, $"{p}:Port", m.Port, 1, 65535);
        if (m.ClientId is { Length: > 0 } id && (id.Length > 23 * 10 || id.Any(char.IsControl)))
        {
            e.Add($"{p}:ClientId: must be printable and at most 230 characters.");
        }

        Positive(e, $"{p}:KeepAlive", m.KeepAlive, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(65535));
        Positive(e, $"{p}:ReconnectMinDelay", m.ReconnectMinDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(10));
        Positive(e, $"{p}:ReconnectMaxDelay", m.ReconnectMaxDelay, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        if (m.ReconnectMaxDelay < m.ReconnectMinDelay)
        {
            e.Add($"{p}:ReconnectMaxDelay: must be at least {p}:ReconnectMinDelay.");
        }

        Positive(e, $"{p}:OperationTimeout", m.OperationTimeout, TimeSpan.FromMilliseconds(100), TimeSpan.FromMinutes(10));
        if (m.Password is not null && m.PasswordFile is not null)
        {
            e.Add($"{p}:PasswordFile: set either {p}:Password or {p}:PasswordFile, not both.");
        }

        if ((m.Password is not null || m.PasswordFile is not null) && string.IsNullOrEmpty(m.UserName))
        {
            e.Add($"{p}:UserName: is required when a password is set.");
        }

        FileExists(e, $"{p}:PasswordFile", m.PasswordFile);
        if (m.Tls is { } t)
        {
            if (string.IsNullOrWhiteSpace(t.CaFile))
            {
                e.Add($"{p}:Tls:CaFile: is required with TLS (the PEM CA certificate the broker's certificate chains to).");
            }

            FileExists(e, $"{p}:Tls:CaFile", t.CaFile);
            FileExists(e, $"{p}:Tls:CertificateFile", t.CertificateFile);
            FileExists(e, $"{p}:Tls:KeyFile", t.KeyFile);
            if ((t.CertificateFile is null) != (t.KeyFile is null))
            {
                e.Add($"{p}:Tls:KeyFile: {p}:Tls:CertificateFile and {p}:Tls:KeyFile go together; set both or neither.");
            }
        }
    }

    private static void ValidateOutbox(List<string> e, GatewayOutboxOptions? o)
    {
        var p = $"{S}:Outbox";
        if (o is null)
        {
            e.Add($"{p}: is required.");
            return;
        }

        if (o.Path is not null && (o.Path.Length == 0 || Directory.Exists(o.Path)))
        {
            e.Add($"{p}:Path: must name a file (e.g. /var/lib/edge-gateway/outbox.db), not '{o.Path}'.");
        }

        if (o.MaxBytes < 64 * 1024)
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"{p}:MaxBytes: {o.MaxBytes} is below the smallest quota, 65536 bytes."));
        }

        DoubleRange(e, $"{p}:WarnAtFraction", o.WarnAtFraction, 0.1, 0.99);
        DoubleRange(e, $"{p}:ReplayItemsPerSecond", o.ReplayItemsPerSecond, 0.1, 1_000_000);
        Positive(e, $"{p}:ResendTimeout", o.ResendTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
    }

    private static void ValidatePublishing(List<string> e, PublishingOptions? o)
    {
        var p = $"{S}:Publishing";
        if (o is null)
        {
            e.Add($"{p}: is required.");
            return;
        }

        IntRange(e, $"{p}:MaxReadingsPerBatch", o.MaxReadingsPerBatch, 1, ContractLimits.MaxReadingsPerBatch);
        Positive(e, $"{p}:HealthInterval", o.HealthInterval, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Positive(e, $"{p}:HealthCheckInterval", o.HealthCheckInterval, TimeSpan.FromMilliseconds(50), TimeSpan.FromMinutes(10));
        if (o.ProgressLogInterval < TimeSpan.Zero)
        {
            e.Add($"{p}:ProgressLogInterval: must not be negative (0 disables the progress line).");
        }
    }

    private static void ValidateDevice(List<string> e, string path, DeviceOptions d)
    {
        Id(e, $"{path}:Id", d.Id);
        if (!DeviceTypes.All.Contains(d.Type, StringComparer.Ordinal))
        {
            e.Add($"{path}:Type: '{d.Type}' is not one of {string.Join(", ", DeviceTypes.All)}.");
            return;
        }

        if (d.Station is not null || d.Type is DeviceTypes.Scanner or DeviceTypes.Rfid)
        {
            Id(e, $"{path}:Station", d.Station);
        }

        if (d.Protocol is not null && d.Type != DeviceTypes.Scale)
        {
            e.Add($"{path}:Protocol: applies to devices of Type scale only (this one is '{d.Type}').");
        }

        var c = d.Connection ?? new ConnectionOptions();
        var cp = path + ":Connection";
        switch (d.Type)
        {
            case DeviceTypes.Scale:
                ValidateScale(e, path, d, c);
                break;
            case DeviceTypes.Plc:
                Connection(e, cp, c, ConnectionKinds.ModbusTcp, ConnectionKinds.ModbusRtu);
                ValidatePlc(e, path, d);
                break;
            case DeviceTypes.Scanner:
            case DeviceTypes.Rfid:
                Connection(e, cp, c, ConnectionKinds.Tcp, ConnectionKinds.Serial, ConnectionKinds.Evdev);
                Positive(e, $"{path}:RepeatWindow", d.RepeatWindow, TimeSpan.Zero, TimeSpan.FromHours(1), allowZero: true);
                foreach (var problem in DeviceOptionMapping.Scanner(d).Validate(path))
                {
                    // Keys the gateway spells differently from Edge.Devices' ScannerOptions.
                    e.Add(problem.Replace(path + ":DeviceId", path + ":Id", StringComparison.Ordinal));
                }

                break;
            case DeviceTypes.PulseCounter:
                Connection(e, cp, c, ConnectionKinds.Gpio);
                Positive(e, $"{path}:FlushInterval", d.FlushInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
                Positive(e, $"{path}:Heartbeat", d.Heartbeat, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
                Positive(e, $"{path}:Debounce", d.Debounce, TimeSpan.Zero, TimeSpan.FromSeconds(1), allowZero: true);
                break;
            case DeviceTypes.Output:
                Connection(e, cp, c, ConnectionKinds.Gpio, ConnectionKinds.ModbusTcp, ConnectionKinds.ModbusRtu);
                if (c.Kind is ConnectionKinds.ModbusTcp or ConnectionKinds.ModbusRtu && c.Coil is null)
                {
                    e.Add($"{cp}:Coil: is required for an output driven over Modbus (the 0-based coil address).");
                }

                break;
            case DeviceTypes.Synthetic:
                if (c.Kind is { Length: > 0 } && c.Kind != ConnectionKinds.None)
                {
                    e.Add($"{cp}:Kind: '{c.Kind}' is not allowed for Type synthetic; leave it out or use none.");
                }

                DoubleRange(e, $"{path}:RatePerSecond", d.RatePerSecond, 0.01, 100_000);
                break;
        }
    }

    private static void ValidateScale(List<string> e, string path, DeviceOptions d, ConnectionOptions c)
    {
        if (d.Protocol is null || !ScaleProtocols.All.Contains(d.Protocol, StringComparer.Ordinal))
        {
            e.Add($"{path}:Protocol: '{d.Protocol}' is not one of {string.Join(", ", ScaleProtocols.All)}.");
            return;
        }

        var modbus = d.Protocol == "modbus";
        if (modbus)
        {
            Connection(e, path + ":Connection", c, ConnectionKinds.ModbusTcp, ConnectionKinds.ModbusRtu);
            if (d.ModbusWeight is null)
            {
                e.Add($"{path}:ModbusWeight: is required for Protocol modbus (the weight's register address and type).");
            }
        }
        else
        {
            Connection(e, path + ":Connection", c, ConnectionKinds.Tcp, ConnectionKinds.Serial);
        }

        if (d.Protocol == "regex" && d.Regex is null)
        {
            e.Add($"{path}:Regex: is required for Protocol regex (Pattern with named groups).");
        }

        if (d.Deadband is < 0 or > 100_000 || !double.IsFinite(d.Deadband))
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:Deadband: {d.Deadband} kg is not between 0 and 100000."));
        }

        Positive(e, $"{path}:Heartbeat", d.Heartbeat, TimeSpan.FromSeconds(1), TimeSpan.FromDays(1));
        Positive(e, $"{path}:PollInterval", d.PollInterval, TimeSpan.FromMilliseconds(10), TimeSpan.FromHours(1));
        try
        {
            var scale = DeviceOptionMapping.Scale(d);
            foreach (var problem in scale.Validate(path))
            {
                e.Add(problem.Replace(path + ":DeviceId", path + ":Id", StringComparison.Ordinal)
                    .Replace(path + ":Modbus:", path + ":ModbusWeight:", StringComparison.Ordinal));
            }
        }
        catch (ArgumentException ex)
        {
            e.Add($"{path}: {ex.Message}");
        }
    }

    private static void ValidatePlc(List<string> e, string path, DeviceOptions d)
    {
        if (string.IsNullOrWhiteSpace(d.RegisterMapFile))
        {
            e.Add($"{path}:RegisterMapFile: is required for Type plc (e.g. /etc/edge-gateway/register-maps/baling-press.json).");
            return;
        }

        if (!File.Exists(d.RegisterMapFile))
        {
            e.Add($"{path}:RegisterMapFile: the file '{d.RegisterMapFile}' does not exist.");
            return;
        }

        RegisterMap map;
        try
        {
            map = RegisterMap.Load(d.RegisterMapFile);
        }
        catch (RegisterMapException ex)
        {
            foreach (var problem in ex.Errors)
            {
                e.Add($"{path}:RegisterMapFile: '{d.RegisterMapFile}' {problem}");
            }

            return;
        }
        catch (IOException ex)
        {
            e.Add($"{path}:RegisterMapFile: '{d.RegisterMapFile}' cannot be read: {ex.Message}");
            return;
        }

        foreach (var problem in PlcPoller.Validate(DeviceOptionMapping.Plc(d), map, path))
        {
            e.Add(problem.Replace(path + ":DeviceId", path + ":Id", StringComparison.Ordinal)
                .Replace(path + ":DefaultDeadband", path + ":Deadband", StringComparison.Ordinal)
                .Replace(path + ":MaxPlausibleCounterDelta", path + ":MaxCounterDelta", StringComparison.Ordinal));
        }
    }

    private static void Connection(List<string> e, string path, ConnectionOptions c, params string[] allowed)
    {
        if (!allowed.Contains(c.Kind, StringComparer.Ordinal))
        {
            e.Add($"{path}:Kind: '{c.Kind}' is not one of {string.Join(", ", allowed)} for this device type.");
            return;
        }

        switch (c.Kind)
        {
            case ConnectionKinds.Serial:
            case ConnectionKinds.ModbusRtu:
                if (string.IsNullOrWhiteSpace(c.Path))
                {
                    e.Add($"{path}:Path: is required for {c.Kind} (e.g. /dev/ttyUSB0 or /dev/serial/by-id/...).");
                }

                if (!Serial.Parities.Contains(c.Parity, StringComparer.Ordinal))
                {
                    e.Add($"{path}:Parity: '{c.Parity}' is not one of {string.Join(", ", Serial.Parities)}.");
                }

                if (!Serial.BaudRates.Contains(c.BaudRate))
                {
                    e.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:BaudRate: {c.BaudRate} is not one of {string.Join(", ", Serial.BaudRates)}."));
                }

                IntRange(e, $"{path}:DataBits", c.DataBits, 5, 8);
                IntRange(e, $"{path}:StopBits", c.StopBits, 1, 2);
                break;
            case ConnectionKinds.Tcp:
            case ConnectionKinds.ModbusTcp:
                if (string.IsNullOrWhiteSpace(c.Host))
                {
                    e.Add($"{path}:Host: is required for {c.Kind}.");
                }

                IntRange(e, $"{path}:Port", c.Port, 1, 65535);
                break;
            case ConnectionKinds.Evdev:
                if (string.IsNullOrWhiteSpace(c.Path))
                {
                    e.Add($"{path}:Path: is required for evdev (e.g. /dev/input/by-id/usb-…-event-kbd).");
                }

                if (c.KeyboardLayout is not ("us" or "de"))
                {
                    e.Add($"{path}:KeyboardLayout: '{c.KeyboardLayout}' is not one of us, de.");
                }

                break;
            case ConnectionKinds.Gpio:
                if (string.IsNullOrWhiteSpace(c.Chip))
                {
                    e.Add($"{path}:Chip: is required for gpio (e.g. gpiochip0).");
                }

                if (c.Line is not { } line || line is < 0 or > 1023)
                {
                    e.Add($"{path}:Line: is required for gpio: the line offset 0-1023.");
                }

                break;
        }

        if (c.Kind is ConnectionKinds.ModbusTcp or ConnectionKinds.ModbusRtu)
        {
            IntRange(e, $"{path}:SlaveId", c.SlaveId, c.Kind == ConnectionKinds.ModbusRtu ? 1 : 0, c.Kind == ConnectionKinds.ModbusRtu ? 247 : 255);
            Positive(e, $"{path}:ResponseTimeout", c.ResponseTimeout, TimeSpan.FromMilliseconds(10), TimeSpan.FromMinutes(1));
            if (c.Coil is { } coil && coil is < 0 or > 65535)
            {
                e.Add(string.Create(CultureInfo.InvariantCulture, $"{path}:Coil: {coil} is not an address 0-65535."));
            }
        }
    }

    private static void Id(List<string> e, string key, string? value)
    {
        if (!ContractIds.IsValid(value))
        {
            e.Add($"{key}: '{value}' is not an id: 1-64 characters of A-Z a-z 0-9 _ . -");
        }
    }

    private static void IntRange(List<string> e, string key, long value, long min, long max)
    {
        if (value < min || value > max)
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {value} is not between {min} and {max}."));
        }
    }

    private static void DoubleRange(List<string> e, string key, double value, double min, double max)
    {
        if (!double.IsFinite(value) || value < min || value > max)
        {
            e.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {value} is not between {min} and {max}."));
        }
    }

    private static void Positive(List<string> e, string key, TimeSpan value, TimeSpan min, TimeSpan max, bool allowZero = false)
    {
        if ((allowZero && value == TimeSpan.Zero) || (value >= min && value <= max && value > TimeSpan.Zero))
        {
            return;
        }

        e.Add(string.Create(CultureInfo.InvariantCulture, $"{key}: {value:c} is not between {min:c} and {max:c}."));
    }

    private static void FileExists(List<string> e, string key, string? path)
    {
        if (path is not null && !File.Exists(path))
        {
            e.Add($"{key}: the file '{path}' does not exist.");
        }
    }

    /// <summary>Serial line values accepted in configuration.</summary>
    internal static class Serial
    {
        public static readonly string[] Parities = ["none", "odd", "even", "mark", "space"];

        public static readonly int[] BaudRates = [1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400];
    }
}
