using Edge.Devices;
using Edge.Devices.Gpio;
using Edge.Gateway.Options;
using Edge.Gpio;
using Edge.Modbus;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>
/// A digital output the hub switches with commands: a stack light or gate relay on a GPIO line, or a PLC coil.
/// It reads nothing; its health reflects the last writes.
/// </summary>
internal sealed class OutputDevice : IGatewayDevice, IOutputLine
{
    private readonly DeviceOptions _options;
    private readonly IModbusClient? _modbus;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private GpioChip? _chip;
    private GpioOutputLine? _line;

    public OutputDevice(DeviceOptions options, ModbusLinks links, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _logger = loggers.CreateLogger("Edge.Gateway.Devices.Output." + options.Id);
        if (options.Connection.Kind != ConnectionKinds.Gpio)
        {
            _modbus = links.Get(options.Connection);
        }

        Health = new DeviceHealthTracker(options.Id, new DeviceHealthOptions { DegradedWhenStaleFor = TimeSpan.FromDays(365), DownWhenStaleFor = TimeSpan.FromDays(366) }, time);
    }

    public string Id => _options.Id;

    public DeviceHealthTracker Health { get; }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SetAsync(_options.InitialValue, cancellationToken);
        }
        catch (IOException ex)
        {
            // Not fatal: the next command tries again and health shows the failure meanwhile.
            Log.OutputInitialFailed(_logger, Id, ex.Message);
        }
    }

    public async ValueTask SetAsync(bool on, CancellationToken cancellationToken)
    {
        try
        {
            if (_modbus is not null)
            {
                var c = _options.Connection;
                await _modbus.WriteSingleCoilAsync((byte)c.SlaveId, (ushort)(c.Coil ?? 0), on, cancellationToken);
            }
            else
            {
                lock (_lock)
                {
                    if (_line is null)
                    {
                        _chip ??= GpioChip.Open(_options.Connection.Chip!, _logger);
                        _line = _chip.RequestOutput(_options.Connection.Line ?? 0, on, GpioChip.DefaultConsumer, new GpioOutputOptions { ActiveLow = _options.Connection.ActiveLow });
                    }
                    else
                    {
                        _line.Write(on);
                    }
                }
            }

            Health.RecordSuccess();
        }
        catch (IOException ex)
        {
            Health.RecordFailure(ex.Message);
            throw;
        }
    }

    public ValueTask DisposeAsync()
    {
        lock (_lock)
        {
            _line?.Dispose();
            _chip?.Dispose();
            _line = null;
            _chip = null;
        }

        return ValueTask.CompletedTask;
    }
}
