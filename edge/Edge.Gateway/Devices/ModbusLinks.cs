using System.Globalization;
using Edge.Gateway.Options;
using Edge.Modbus;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>
/// One Modbus master per physical link, shared by every device on it: one TCP connection per host and port, one
/// <see cref="ModbusRtuBus"/> per serial line (an RS-485 bus carries many units and allows one request at a time).
/// </summary>
internal sealed class ModbusLinks : IAsyncDisposable
{
    private readonly ILoggerFactory _loggers;
    private readonly Dictionary<string, ModbusClient> _links = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    public ModbusLinks(ILoggerFactory loggers)
    {
        _loggers = loggers;
    }

    public IModbusClient Get(ConnectionOptions c)
    {
        var key = c.Kind == ConnectionKinds.ModbusTcp
            ? string.Create(CultureInfo.InvariantCulture, $"tcp:{c.Host}:{c.Port}")
            : "rtu:" + c.Path;
        lock (_lock)
        {
            if (!_links.TryGetValue(key, out var client))
            {
                client = c.Kind == ConnectionKinds.ModbusTcp
                    ? new ModbusTcpClient(new ModbusTcpClientOptions { Host = c.Host!, Port = c.Port, ResponseTimeout = c.ResponseTimeout }, _loggers.CreateLogger<ModbusTcpClient>())
                    : new ModbusRtuBus(
                        new ModbusRtuBusOptions
                        {
                            SerialPort = c.Path!,
                            BaudRate = c.BaudRate,
                            Parity = DeviceOptionMapping.ModbusParity(c),
                            DataBits = c.DataBits,
                            StopBits = c.StopBits,
                            ResponseTimeout = c.ResponseTimeout,
                        },
                        _loggers.CreateLogger<ModbusRtuBus>());
                _links[key] = client;
            }

            return client;
        }
    }

    public async ValueTask DisposeAsync()
    {
        ModbusClient[] links;
        lock (_lock)
        {
            links = [.. _links.Values];
            _links.Clear();
        }

        foreach (var l in links)
        {
            await l.DisposeAsync();
        }
    }
}
