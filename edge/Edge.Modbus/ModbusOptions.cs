using System.Globalization;

namespace Edge.Modbus;

/// <summary>Parity of a serial line. The Modbus serial-line spec makes even parity the default; many devices ship with none.</summary>
public enum ModbusParity
{
    /// <summary>No parity bit (usually paired with 2 stop bits by the spec, with 1 by most devices).</summary>
    None,

    /// <summary>Even parity.</summary>
    Even,

    /// <summary>Odd parity.</summary>
    Odd,
}

/// <summary>Settings of a <see cref="ModbusTcpClient"/> (one TCP connection to a PLC or gateway).</summary>
public sealed class ModbusTcpClientOptions
{
    /// <summary>Host name or IP address of the device (IPv4 or IPv6).</summary>
    public string Host { get; set; } = string.Empty;

    /// <summary>TCP port; 502 is the registered Modbus port.</summary>
    public int Port { get; set; } = 502;

    /// <summary>Time allowed for the first byte of a reply, and for connecting. Default 500 ms (libmodbus's).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest gap allowed between bytes of one reply; <see cref="TimeSpan.Zero"/> disables it. Default 500 ms.</summary>
    public TimeSpan ByteTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and the allowed values.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Host))
        {
            throw new ArgumentException($"{nameof(ModbusTcpClientOptions)}.{nameof(Host)} is required: a host name or IP address.", nameof(Host));
        }

        if (Port is < 1 or > 65535)
        {
            throw new ArgumentException($"{nameof(ModbusTcpClientOptions)}.{nameof(Port)} must be 1–65535 (was {Port}).", nameof(Port));
        }

        OptionChecks.ResponseTimeout(nameof(ModbusTcpClientOptions), ResponseTimeout);
        OptionChecks.ByteTimeout(nameof(ModbusTcpClientOptions), ByteTimeout);
    }
}

/// <summary>Settings of a <see cref="ModbusRtuBus"/> (one serial port shared by many units).</summary>
public sealed class ModbusRtuBusOptions
{
    /// <summary>Path of the serial device, e.g. <c>/dev/ttyUSB0</c>, <c>/dev/serial/by-id/…</c> or a socat pty link.</summary>
    public string SerialPort { get; set; } = string.Empty;

    /// <summary>Baud rate; 19200 is the serial-line spec's default.</summary>
    public int BaudRate { get; set; } = 19200;

    /// <summary>Parity; even is the serial-line spec's default.</summary>
    public ModbusParity Parity { get; set; } = ModbusParity.Even;

    /// <summary>Data bits (RTU uses 8).</summary>
    public int DataBits { get; set; } = 8;

    /// <summary>Stop bits, 1 or 2.</summary>
    public int StopBits { get; set; } = 1;

    /// <summary>
    /// Time allowed for the first byte of a reply. A silent (dead) unit costs exactly this much bus time per request.
    /// Default 500 ms.
    /// </summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// Longest gap allowed between bytes of one reply; <see cref="TimeSpan.Zero"/> disables it. Default 100 ms, which
    /// leaves room for USB serial adapters' 16 ms latency timer.
    /// </summary>
    public TimeSpan ByteTimeout { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid setting and the allowed values.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(SerialPort))
        {
            throw new ArgumentException($"{nameof(ModbusRtuBusOptions)}.{nameof(SerialPort)} is required: the path of the serial device.", nameof(SerialPort));
        }

        OptionChecks.Serial(nameof(ModbusRtuBusOptions), BaudRate, Parity, DataBits, StopBits);
        OptionChecks.ResponseTimeout(nameof(ModbusRtuBusOptions), ResponseTimeout);
        OptionChecks.ByteTimeout(nameof(ModbusRtuBusOptions), ByteTimeout);
    }
}

/// <summary>Checks shared by the options classes; messages name the exact setting.</summary>
internal static class OptionChecks
{
    private static readonly TimeSpan s_maxTimeout = TimeSpan.FromMinutes(10);

    // libmodbus maps the rate onto a termios Bxxx constant and silently falls back to 9600 for any other value.
    private static readonly int[] s_baudRates =
    [
        110, 300, 600, 1200, 2400, 4800, 9600, 19200, 38400, 57600, 115200, 230400, 460800, 500000, 576000, 921600,
        1000000, 1152000, 1500000, 2000000, 2500000, 3000000, 3500000, 4000000,
    ];

    internal static void ResponseTimeout(string owner, TimeSpan value)
    {
        if (value < TimeSpan.FromMilliseconds(1) || value > s_maxTimeout)
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{owner}.ResponseTimeout must be between 1 ms and 10 min (was {value})."),
                nameof(value));
        }
    }

    internal static void ByteTimeout(string owner, TimeSpan value)
    {
        if (value != TimeSpan.Zero && (value < TimeSpan.FromMilliseconds(1) || value > s_maxTimeout))
        {
            throw new ArgumentException(
                string.Create(CultureInfo.InvariantCulture, $"{owner}.ByteTimeout must be 0 (disabled) or between 1 ms and 10 min (was {value})."),
                nameof(value));
        }
    }

    internal static void Serial(string owner, int baudRate, ModbusParity parity, int dataBits, int stopBits)
    {
        if (Array.IndexOf(s_baudRates, baudRate) < 0)
        {
            throw new ArgumentException($"{owner}.BaudRate must be one of {string.Join(", ", s_baudRates)} (was {baudRate}).", nameof(baudRate));
        }

        if (!Enum.IsDefined(parity))
        {
            throw new ArgumentException($"{owner}.Parity must be None, Even or Odd (was {parity}).", nameof(parity));
        }

        if (dataBits is < 5 or > 8)
        {
            throw new ArgumentException($"{owner}.DataBits must be 5–8 (was {dataBits}).", nameof(dataBits));
        }

        if (stopBits is < 1 or > 2)
        {
            throw new ArgumentException($"{owner}.StopBits must be 1 or 2 (was {stopBits}).", nameof(stopBits));
        }
    }
}
