using Edge.Contracts;
using Edge.Devices.Plc;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Scales;

/// <summary>
/// A scale whose weight lives in Modbus registers (a weighing transmitter or a PLC that reads the indicator): polls the
/// weight and optional status register through <see cref="IRegisterReader"/>, decodes, decides stability and publishes
/// samples. Failures back off exponentially and never end the loop.
/// </summary>
public sealed class ModbusScale : IScaleDriver
{
    private readonly ScaleOptions _options;
    private readonly ModbusScaleOptions _modbus;
    private readonly IRegisterReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ScaleSampleHub _hub;
    private readonly IReadOnlyList<ReadRequest> _requests;
    private readonly ushort[][] _buffers;

    /// <summary>Creates the driver.</summary>
    /// <param name="options">The scale options with <see cref="ScaleOptions.Modbus"/>; validated here.</param>
    /// <param name="reader">The Modbus link.</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public ModbusScale(ScaleOptions options, IRegisterReader reader, TimeProvider timeProvider, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Scale"));
        if (options.Protocol != ScaleProtocol.Modbus)
        {
            throw new DeviceConfigurationException($"Scale:{nameof(ScaleOptions.Protocol)}: must be Modbus for a Modbus scale; got {options.Protocol}");
        }

        _options = options;
        _modbus = options.Modbus;
        _reader = reader;
        _time = timeProvider;
        _logger = logger;
        _hub = new ScaleSampleHub(options.Stability, options.CapacityKg, options.StaleAfter, timeProvider);
        Health = new DeviceHealthTracker(options.DeviceId, options.Health, timeProvider);

        var spans = new List<RegisterSpan> { new(_modbus.SlaveId, _modbus.Table, _modbus.Address, RegisterDecoder.RegisterCount(_modbus.DataType)) };
        if (_modbus.StatusAddress is { } status)
        {
            spans.Add(new RegisterSpan(_modbus.SlaveId, _modbus.Table, status, 1));
        }

        _requests = RegisterCoalescer.Plan(spans, new CoalescingOptions { MaxRegisterGap = 16 });
        _buffers = [.. _requests.Select(r => new ushort[r.Count])];
    }

    /// <inheritdoc/>
    public string DeviceId => _options.DeviceId;

    /// <inheritdoc/>
    public ScaleSample? CurrentSample => _hub.Current;

    /// <inheritdoc/>
    public DeviceHealthTracker Health { get; }

    /// <inheritdoc/>
    public FrameCounters Counters { get; } = new();

    /// <inheritdoc/>
    public IAsyncEnumerable<ScaleSample> ReadSamplesAsync(CancellationToken cancellationToken = default) => _hub.SubscribeAsync(cancellationToken);

    /// <inheritdoc/>
    public Task<ScaleSample?> WaitForStableAsync(TimeSpan timeout, CancellationToken cancellationToken = default) =>
        _hub.WaitForStableAsync(timeout, cancellationToken);

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled; never ends on its own.</summary>
    /// <param name="cancellationToken">Stops polling.</param>
    /// <returns>A task that completes when cancelled.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var backoff = new ExponentialBackoff(_options.Backoff);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                TimeSpan delay;
                try
                {
                    await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                    backoff.Reset();
                    delay = _options.PollInterval;
                }
                catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
                {
                    _hub.Disconnected();
                    Health.RecordFailure(ex.Message);
                    delay = backoff.NextDelay();
                    Log.ScaleReadFailed(_logger, DeviceId, delay, ex);
                }

                await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    /// <summary>Reads and publishes one sample.</summary>
    /// <param name="cancellationToken">Stops the read.</param>
    /// <returns>The sample, or <see langword="null"/> when the value was rejected (counted).</returns>
    internal async Task<ScaleSample?> PollOnceAsync(CancellationToken cancellationToken)
    {
        for (var i = 0; i < _requests.Count; i++)
        {
            var r = _requests[i];
            await _reader.ReadAsync(r.SlaveId, r.Table, (ushort)r.Address, _buffers[i], cancellationToken).ConfigureAwait(false);
        }

        var ts = _time.GetUtcNow();
        var rejection = Decode(ts, out var sample);
        Counters.CountRejected(rejection);
        if (rejection != FrameRejection.None)
        {
            Health.RecordFailure("register value rejected: " + rejection);
            Log.ScaleFrameRejected(_logger, DeviceId, rejection);
            return null;
        }

        Counters.CountAccepted();
        Health.RecordSuccess();
        return _hub.Publish(sample);
    }

    private FrameRejection Decode(DateTimeOffset ts, out ScaleSample sample)
    {
        sample = default;
        var weightRegisters = Slice(_modbus.Address, RegisterDecoder.RegisterCount(_modbus.DataType));
        var value = RegisterDecoder.DecodeScaled(weightRegisters, _modbus.DataType, _modbus.ByteOrder, _modbus.WordOrder, _modbus.Scale, _modbus.Offset);
        if (!double.IsFinite(value))
        {
            return FrameRejection.Garbled;
        }

        var kg = WeightUnits.ToKilograms(value, _modbus.Unit);
        if (Math.Abs(kg) > ContractLimits.MaxAbsWeightKg)
        {
            return FrameRejection.ImplausibleWeight;
        }

        var status = _modbus.StatusAddress is { } address ? Slice(address, 1)[0] : (ushort)0;
        bool Bit(int? bit) => bit is { } b && (status & (1 << b)) != 0;
        var indicatorStatus = Bit(_modbus.OverloadBit) ? IndicatorStatus.Overload
            : Bit(_modbus.UnderloadBit) ? IndicatorStatus.Underload
            : IndicatorStatus.Ok;
        var mode = Bit(_modbus.NetBit) ? WeightMode.Net : WeightMode.Gross;
        sample = new ScaleSample
        {
            Timestamp = ts,
            WeightKg = indicatorStatus == IndicatorStatus.Ok ? kg : null,
            Motion = Bit(_modbus.MotionBit),
            Mode = mode,
            Status = indicatorStatus,
            CenterOfZero = _modbus.ZeroBit is null ? indicatorStatus == IndicatorStatus.Ok && mode == WeightMode.Gross && kg == 0 : Bit(_modbus.ZeroBit),
        };
        return FrameRejection.None;
    }

    private ReadOnlySpan<ushort> Slice(int address, int count)
    {
        for (var i = 0; i < _requests.Count; i++)
        {
            var r = _requests[i];
            if (address >= r.Address && address + count <= r.End)
            {
                return _buffers[i].AsSpan(address - r.Address, count);
            }
        }

        throw new InvalidOperationException($"Address {address} is not in the read plan.");
    }
}
