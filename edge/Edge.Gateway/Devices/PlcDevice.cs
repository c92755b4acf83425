using Edge.Contracts;
using Edge.Contracts.RegisterMaps;
using Edge.Devices;
using Edge.Devices.Plc;
using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>
/// A PLC polled against its register map by the Edge.Devices poller. Each reported value becomes one reading whose
/// <c>device</c> is the PLC and whose <c>channel</c> is the register-map entry, as the contract says.
/// </summary>
/// <remarks>
/// Counters resume from the position of their last stored reading (see <see cref="CounterPositions"/>). A counter
/// reading the outbox refuses is not lost: its delta is carried into the next reading of the same channel, so the
/// hub's sum of deltas stays exact. Analog and state values are snapshots and are simply reported again later.
/// </remarks>
internal sealed class PlcDevice : IGatewayDevice
{
    private readonly DeviceOptions _options;
    private readonly PlcPoller _poller;
    private readonly ReadingSink _sink;
    private readonly CounterPositions _positions;
    private readonly ILogger _logger;
    private readonly Dictionary<string, ulong> _carried = new(StringComparer.Ordinal);

    public PlcDevice(DeviceOptions options, ModbusLinks links, ReadingSink sink, CounterPositions positions, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _sink = sink;
        _positions = positions;
        _logger = loggers.CreateLogger("Edge.Gateway.Devices.Plc");
        var map = RegisterMap.Load(options.RegisterMapFile!);
        var states = new Dictionary<string, CounterState>(StringComparer.Ordinal);
        foreach (var entry in map.Entries.Where(e => e.Meaning == RegisterMeaning.Counter))
        {
            if (positions.Get(options.Id, entry.Name) is { } p)
            {
                states[entry.Name] = new CounterState(p.Raw, p.Epoch);
            }
        }

        _poller = new PlcPoller(
            DeviceOptionMapping.Plc(options),
            map,
            new ModbusRegisterReader(links.Get(options.Connection)),
            time,
            loggers.CreateLogger("Edge.Devices.Plc." + options.Id),
            states);
    }

    public string Id => _options.Id;

    public DeviceHealthTracker Health => _poller.Health;

    public PlcPoller Poller => _poller;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var poll = Task.Run(() => _poller.RunAsync(cancellationToken), CancellationToken.None);
        try
        {
            // The poller completes its channel when it stops; drain what it produced so nothing polled is dropped.
            await foreach (var value in _poller.Values.ReadAllAsync(CancellationToken.None))
            {
                await HandleAsync(value, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await poll;
    }

    private async Task HandleAsync(PlcPointValue value, CancellationToken cancellationToken)
    {
        switch (value.Meaning)
        {
            case RegisterMeaning.Counter when value.Counter is { } c:
            {
                _carried.TryGetValue(value.Point, out var carried);
                var mask = c.Width == 64 ? ulong.MaxValue : (1UL << c.Width) - 1;
                var delta = c.Delta + carried;
                if (delta > mask)
                {
                    // The contract caps a delta below 2^width; the rest is carried on.
                    carried = delta - mask;
                    delta = mask;
                }
                else
                {
                    carried = 0;
                }

                var reading = new CounterReading { Seq = 1, Device = Id, Channel = value.Point, Ts = value.Ts, Raw = c.Raw, Delta = delta, Epoch = c.Epoch, Width = c.Width };
                using (_positions.EnterCommit())
                {
                    var result = await _sink.AcceptAsync(reading, cancellationToken);
                    if (result.Accepted)
                    {
                        // The stored delta holds what was carried: it must not be carried again, whatever happens next.
                        _carried[value.Point] = carried;
                        _positions.Record(Id, value.Point, c.Raw, c.Epoch, result.Seq);
                    }
                    else
                    {
                        _carried[value.Point] = carried + delta;
                    }
                }

                break;
            }

            case RegisterMeaning.State or RegisterMeaning.Analog:
                // The sink assigns the real seq when the outbox accepts the reading.
                await _sink.AcceptAsync(value.ToReading(1), cancellationToken);
                break;
            default:
                Log.PlcValueSkipped(_logger, Id, value.Point);
                break;
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
