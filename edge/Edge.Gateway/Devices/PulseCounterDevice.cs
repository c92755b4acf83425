using System.Runtime.CompilerServices;
using Edge.Devices;
using Edge.Devices.Gpio;
using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Edge.Gpio;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>
/// A photo-eye or pulse contact on a GPIO line, counted by the Edge.Devices pulse counter with debounce. Its count is
/// made durable as counter readings in the outbox (the count and the reading are one record), so a restart resumes
/// from exactly what the hub will sum.
/// </summary>
internal sealed class PulseCounterDevice : IGatewayDevice
{
    private readonly DeviceOptions _options;
    private readonly PulseCounterDriver _driver;
    private readonly ILogger _logger;

    public PulseCounterDevice(DeviceOptions options, ReadingSink sink, CounterPositions positions, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _logger = loggers.CreateLogger("Edge.Devices.Gpio." + options.Id);
        _driver = new PulseCounterDriver(DeviceOptionMapping.PulseCounter(options), new OutboxPulseCountStore(sink, positions), time, _logger);
    }

    public string Id => _options.Id;

    public DeviceHealthTracker Health => _driver.Health;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _driver.InitializeAsync(cancellationToken);
            await _driver.RunAsync(OpenEdges, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    public ValueTask DisposeAsync()
    {
        _driver.Dispose();
        return ValueTask.CompletedTask;
    }

    private async IAsyncEnumerable<PulseEdge> OpenEdges([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var c = _options.Connection;
        using var chip = GpioChip.Open(c.Chip!, _logger);
        await using var line = chip.RequestInput(c.Line ?? 0, GpioEdge.Both, GpioBias.AsIs, GpioChip.DefaultConsumer, new GpioInputOptions { ActiveLow = c.ActiveLow });
        await foreach (var e in line.ReadEventsAsync(cancellationToken))
        {
            yield return new PulseEdge(e.Edge == GpioEdge.Falling ? EdgeKind.Falling : EdgeKind.Rising, e.TimestampNanoseconds);
        }
    }

    /// <summary>The count is one counter reading in the outbox; its position is the resume point.</summary>
    internal sealed class OutboxPulseCountStore(ReadingSink sink, CounterPositions positions) : IPulseCountStore
    {
        public ValueTask<PulseCountState?> LoadAsync(string deviceId, CancellationToken cancellationToken) =>
            ValueTask.FromResult(positions.Get(deviceId, null) is { } p ? new PulseCountState(p.Raw, p.Epoch) : (PulseCountState?)null);

        public async ValueTask SaveAsync(PulseCountRecord record, CancellationToken cancellationToken)
        {
            using (positions.EnterCommit())
            {
                var result = await sink.AcceptAsync(record.ToReading(1), cancellationToken);
                if (!result.Accepted)
                {
                    // Not marked stored: the driver folds these pulses into its next record.
                    throw new IOException("The outbox did not store the count (" + result.Outcome + ").");
                }

                // Stored: from here on the driver must take these pulses as stored, whatever the position file does
                // (Record does not throw for it), or it would put them into its next record as well.
                positions.Record(record.Device, null, record.Total, record.Epoch, result.Seq);
            }
        }
    }
}
