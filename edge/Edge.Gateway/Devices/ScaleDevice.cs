using Edge.Contracts;
using Edge.Devices;
using Edge.Devices.Plc;
using Edge.Devices.Scales;
using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>
/// A scale: the Edge.Devices driver reads the indicator and decides stability; this publishes what matters of its
/// ~10 samples a second — every newly stable weight (a captured weighing), the first moving sample after a stable
/// one, every status change (overload, zero error…), and the current sample at least every heartbeat.
/// </summary>
/// <remarks>
/// A stable weight the outbox refuses (quota reached) is kept, in order, and offered again until it is stored:
/// weighings are money. Other samples are only a picture of the moment and are not kept.
/// </remarks>
internal sealed class ScaleDevice : IGatewayDevice
{
    private const int MaxKeptWeighings = 1000;
    private readonly DeviceOptions _options;
    private readonly IScale _scale;
    private readonly Func<CancellationToken, Task> _run;
    private readonly ReadingSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Queue<WeightReading> _kept = new();
    private ScaleSample? _lastPublished;
    private DateTimeOffset _lastPublishedAt;

    public ScaleDevice(DeviceOptions options, ModbusLinks links, ReadingSink sink, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _sink = sink;
        _time = time;
        _logger = loggers.CreateLogger("Edge.Gateway.Devices.Scale");
        var scaleOptions = DeviceOptionMapping.Scale(options);
        var driverLogger = loggers.CreateLogger("Edge.Devices.Scales." + options.Id);
        if (scaleOptions.Protocol == ScaleProtocol.Modbus)
        {
            var scale = ScaleFactory.CreateModbusScale(scaleOptions, new ModbusRegisterReader(links.Get(options.Connection)), time, driverLogger);
            _scale = scale;
            _run = scale.RunAsync;
        }
        else
        {
            var scale = ScaleFactory.CreateStreamScale(scaleOptions, ByteSources.For(options.Connection, driverLogger, time), time, driverLogger);
            _scale = scale;
            _run = scale.RunAsync;
        }
    }

    public string Id => _options.Id;

    public DeviceHealthTracker Health => _scale.Health;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var driver = Task.Run(() => _run(cancellationToken), CancellationToken.None);
        try
        {
            await foreach (var sample in _scale.ReadSamplesAsync(cancellationToken))
            {
                await OnSampleAsync(sample, cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await driver;
    }

    internal async Task OnSampleAsync(ScaleSample sample, CancellationToken cancellationToken)
    {
        await RetryKeptAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var reason = ShouldPublish(sample, now);
        if (reason is null)
        {
            return;
        }

        var reading = sample.ToReading(1, Id);
        _lastPublished = sample;
        _lastPublishedAt = now;
        if (sample.Stable && sample.HasWeight)
        {
            Log.StableWeight(_logger, Id, sample.WeightKg ?? 0, reason);
            _kept.Enqueue(reading);
            while (_kept.Count > MaxKeptWeighings)
            {
                Log.WeighingDropped(_logger, Id, _kept.Dequeue().ValueKg ?? 0);
            }

            await RetryKeptAsync(cancellationToken);
            return;
        }

        await _sink.AcceptAsync(reading, cancellationToken);
    }

    private string? ShouldPublish(ScaleSample s, DateTimeOffset now)
    {
        var last = _lastPublished;
        if (last is not { } p)
        {
            return "first sample";
        }

        if (s.Status != p.Status || s.Mode != p.Mode)
        {
            return "status changed";
        }

        if (s.Stable && s.HasWeight)
        {
            if (!p.Stable)
            {
                return "settled";
            }

            if (Math.Abs((s.WeightKg ?? 0) - (p.WeightKg ?? 0)) > Math.Max(_options.Deadband, 0))
            {
                return "new stable weight";
            }
        }
        else if (p.Stable && !s.Stable)
        {
            return "moving";
        }

        return now - _lastPublishedAt >= _options.Heartbeat ? "heartbeat" : null;
    }

    private async Task RetryKeptAsync(CancellationToken cancellationToken)
    {
        while (_kept.TryPeek(out var reading))
        {
            var result = await _sink.AcceptAsync(reading, cancellationToken);
            if (result.Outcome == AcceptOutcome.Refused)
            {
                // Kept for the next sample (a tenth of a second later); the health report carries the outbox alarm.
                return;
            }

            _kept.Dequeue();
        }
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
