using System.Threading.Channels;
using Edge.Contracts;
using Edge.Contracts.RegisterMaps;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Plc;

/// <summary>
/// Polls one PLC (one unit) against its register map: coalesced reads, decoding, counters resolved into deltas,
/// report-by-exception with a heartbeat, capped exponential backoff on failure and recovery after an outage of any
/// length. Values go to <see cref="Values"/>; health to <see cref="Health"/>; poll lateness to <see cref="Jitter"/>.
/// </summary>
/// <remarks>
/// <para>Several pollers may share one <see cref="IRegisterReader"/> (one RTU bus with many units, or a TCP gateway):
/// the binding serialises the requests and a dead unit only delays the others by its response timeout.</para>
/// <para>A poll is all-or-nothing: every request is read before anything is decoded, so a failure halfway leaves the
/// counters untouched and nothing half-reported. Any exception other than cancellation is caught, logged, counted and
/// followed by a backoff; the loop never ends until its token is cancelled.</para>
/// <para><see cref="Values"/> is bounded and the poller waits when it is full: counter deltas must never be dropped.</para>
/// </remarks>
public sealed class PlcPoller
{
    private readonly PlcDeviceOptions _options;
    private readonly RegisterMap _map;
    private readonly IRegisterReader _reader;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ExponentialBackoff _backoff;
    private readonly Channel<PlcPointValue> _values;
    private readonly IReadOnlyList<ReadRequest> _requests;
    private readonly ushort[][] _buffers;
    private readonly PointPlan[] _points;
    private readonly int _plannedCount;
    private long _polls;
    private long _failedPolls;
    private long _badValues;
    private long _skippedSlots;

    /// <summary>Creates a poller.</summary>
    /// <param name="options">The device options; validated here.</param>
    /// <param name="map">The PLC's register map.</param>
    /// <param name="reader">The link (TCP client or RTU bus adapter).</param>
    /// <param name="timeProvider">The clock.</param>
    /// <param name="logger">The logger.</param>
    /// <param name="counterStates">
    /// The last durably stored state of each counter by entry name (from the outbox's last readings), so counting resumes
    /// where it left off after a restart; entries without one start with a baseline.
    /// </param>
    /// <param name="random">Uniform numbers in [0, 1) for backoff jitter; <see langword="null"/> for <see cref="Random.Shared"/>.</param>
    /// <exception cref="DeviceConfigurationException">The options or the map do not fit together.</exception>
    public PlcPoller(
        PlcDeviceOptions options,
        RegisterMap map,
        IRegisterReader reader,
        TimeProvider timeProvider,
        ILogger logger,
        IReadOnlyDictionary<string, CounterState>? counterStates = null,
        Func<double>? random = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(map);
        ArgumentNullException.ThrowIfNull(reader);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        DeviceConfigurationException.ThrowIfAny(Validate(options, map, "Plc"));

        _options = options;
        _map = map;
        _reader = reader;
        _time = timeProvider;
        _logger = logger;
        _backoff = new ExponentialBackoff(options.Backoff, random);
        Health = new DeviceHealthTracker(options.DeviceId, options.Health, timeProvider);
        _values = Channel.CreateBounded<PlcPointValue>(new BoundedChannelOptions(10_000)
        {
            FullMode = BoundedChannelFullMode.Wait,
            SingleReader = false,
            SingleWriter = true,
        });

        var spans = map.Entries.Select(e => new RegisterSpan(options.SlaveId, e.Table, e.Address, e.RegisterCount));
        _requests = RegisterCoalescer.Plan(spans, options.Coalescing);
        _buffers = [.. _requests.Select(r => new ushort[r.Count])];
        _plannedCount = _requests.Sum(r => r.Count);
        _points = [.. map.Entries.Select(e => CreatePlan(e, counterStates))];
    }

    /// <summary>The device id.</summary>
    public string DeviceId => _options.DeviceId;

    /// <summary>The reported values, in poll order.</summary>
    public ChannelReader<PlcPointValue> Values => _values.Reader;

    /// <summary>The PLC's health.</summary>
    public DeviceHealthTracker Health { get; }

    /// <summary>Lateness of poll starts against their schedule.</summary>
    public JitterStatistics Jitter { get; } = new();

    /// <summary>The planned requests of one poll.</summary>
    public IReadOnlyList<ReadRequest> Requests => _requests;

    /// <summary>Polls attempted.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>Polls that failed.</summary>
    public long FailedPolls => Interlocked.Read(ref _failedPolls);

    /// <summary>Values that decoded to NaN, ±∞ or beyond the contract's limits and were not reported.</summary>
    public long BadValues => Interlocked.Read(ref _badValues);

    /// <summary>Scheduled polls skipped because a poll overran its interval.</summary>
    public long SkippedSlots => Interlocked.Read(ref _skippedSlots);

    /// <summary>The current state of every counter, to compare with what the outbox stored.</summary>
    /// <returns>Entry name → state, for counters that have seen a value.</returns>
    public IReadOnlyDictionary<string, CounterState> GetCounterStates()
    {
        var d = new Dictionary<string, CounterState>(StringComparer.Ordinal);
        foreach (var p in _points)
        {
            if (p.Counter?.State is { } s)
            {
                d[p.Entry.Name] = s;
            }
        }

        return d;
    }

    /// <summary>Checks that options and map fit together: ids within limits, counters with a width that fits their type.</summary>
    /// <param name="options">The device options.</param>
    /// <param name="map">The register map.</param>
    /// <param name="path">The configuration path of the device section.</param>
    /// <returns>The problems; empty when valid.</returns>
    public static IReadOnlyList<string> Validate(PlcDeviceOptions options, RegisterMap map, string path)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(map);
        var e = new OptionErrors();
        e.AddRange(options.Validate(path));
        foreach (var entry in map.Entries)
        {
            if (entry.Meaning == RegisterMeaning.Counter)
            {
                var width = CounterWidthOf(entry);
                if (width is not (16 or 32) || (entry.CounterWidth is { } declared && declared != width))
                {
                    e.Add(path, nameof(options.RegisterMapFile), $"entry '{entry.Name}' is a counter of type {entry.DataType} with width {entry.CounterWidth}; counters must be u16 (width 16) or u32 (width 32)");
                }

                var max = options.CounterMaxDeltas.TryGetValue(entry.Name, out var m) ? m : options.MaxPlausibleCounterDelta;
                if (width is 16 or 32 && max >= (1UL << width))
                {
                    e.Add(path, nameof(options.MaxPlausibleCounterDelta), $"for '{entry.Name}' must be below 2^{width}");
                }
            }
        }

        foreach (var name in options.Deadbands.Keys.Concat(options.CounterMaxDeltas.Keys))
        {
            if (map.Find(name) is null)
            {
                e.Add(path, nameof(options.Deadbands), $"names '{name}', which is not an entry of register map '{map.Program}'");
            }
        }

        return e.Errors;
    }

    /// <summary>Polls until <paramref name="cancellationToken"/> is cancelled; never ends on its own.</summary>
    /// <param name="cancellationToken">Stops polling.</param>
    /// <returns>A task that completes when cancelled.</returns>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        Log.PlcPlan(_logger, DeviceId, _points.Length, _requests.Count, _plannedCount);
        var interval = _options.PollInterval;
        var scheduled = _time.GetUtcNow();
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                var wait = scheduled - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
                }

                var started = _time.GetUtcNow();
                Jitter.Record(started - scheduled);
                var error = await PollOnceAsync(cancellationToken).ConfigureAwait(false);
                if (error is null)
                {
                    // Fixed rate: the next slot follows the previous one, not the end of this poll. A poll that overran
                    // skips the slots it missed instead of firing a burst to catch up.
                    scheduled += interval;
                    var now = _time.GetUtcNow();
                    if (scheduled <= now)
                    {
                        var skipped = ((now - scheduled).Ticks / interval.Ticks) + 1;
                        scheduled += interval * skipped;
                        Interlocked.Add(ref _skippedSlots, skipped);
                        Log.PlcOverrun(_logger, DeviceId, skipped);
                    }
                }
                else
                {
                    var delay = _backoff.NextDelay();
                    Log.PlcPollFailed(_logger, DeviceId, _backoff.Failures, delay, error);
                    scheduled = _time.GetUtcNow() + delay;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }
        finally
        {
            _values.Writer.TryComplete();
        }
    }

    /// <summary>One poll: read every request, then decode, filter and report. Failures are handled, not thrown.</summary>
    /// <param name="cancellationToken">Stops the poll.</param>
    /// <returns><see langword="null"/> when the poll succeeded, else what went wrong.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    internal async ValueTask<Exception?> PollOnceAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _polls);
        var ts = _time.GetUtcNow();
        try
        {
            for (var i = 0; i < _requests.Count; i++)
            {
                var r = _requests[i];
                await _reader.ReadAsync(r.SlaveId, r.Table, (ushort)r.Address, _buffers[i], cancellationToken).ConfigureAwait(false);
            }

            foreach (var point in _points)
            {
                var value = Decode(point, ts);
                if (value is not null)
                {
                    await _values.Writer.WriteAsync(value, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Whatever the link or a bug threw, the loop goes on: a PLC that is off for a week must come back by itself.
            Interlocked.Increment(ref _failedPolls);
            Health.RecordFailure(ex.Message);
            return ex;
        }

        if (_backoff.Failures > 0)
        {
            Log.PlcRecovered(_logger, DeviceId, _backoff.Failures);
        }

        _backoff.Reset();
        Health.RecordSuccess();
        return null;
    }

    private PlcPointValue? Decode(PointPlan point, DateTimeOffset ts)
    {
        var entry = point.Entry;
        var registers = _buffers[point.RequestIndex].AsSpan(point.Offset, entry.RegisterCount);
        var byteOrder = entry.ByteOrder ?? _map.Defaults.ByteOrder;
        var wordOrder = entry.WordOrder ?? _map.Defaults.WordOrder;
        var raw = RegisterDecoder.Decode(registers, entry.DataType, byteOrder, wordOrder);

        switch (entry.Meaning)
        {
            case RegisterMeaning.Counter:
            {
                var update = point.Counter!.Update((ulong)RegisterDecoder.ReadBits(registers, entry.DataType, byteOrder, wordOrder));
                if (update.Step == CounterStep.Reset)
                {
                    Log.PlcCounterReset(_logger, DeviceId, entry.Name, update.Raw, update.Epoch);
                }

                // A reset is reported even with delta 0 (reset to 0), so the hub learns the new epoch at once.
                var report = point.Filter.ShouldReport(update.Delta, ts) || update.Step == CounterStep.Reset;
                return report
                    ? new PlcPointValue { Device = DeviceId, Point = entry.Name, Ts = ts, Meaning = entry.Meaning, Value = update.Raw, Counter = update }
                    : null;
            }

            case RegisterMeaning.State:
            {
                if (!double.IsFinite(raw) || raw < int.MinValue || raw > int.MaxValue)
                {
                    return BadValue(entry);
                }

                var state = (int)raw;
                return point.Filter.ShouldReport(state, ts)
                    ? new PlcPointValue { Device = DeviceId, Point = entry.Name, Ts = ts, Meaning = entry.Meaning, Value = state, Label = entry.LabelOf(state) }
                    : null;
            }

            default:
            {
                var value = entry.ToEngineering(raw);
                if (!double.IsFinite(value) || Math.Abs(value) > ContractLimits.MaxAbsValue)
                {
                    return BadValue(entry);
                }

                return point.Filter.ShouldReport(value, ts)
                    ? new PlcPointValue { Device = DeviceId, Point = entry.Name, Ts = ts, Meaning = entry.Meaning, Value = value, Unit = entry.Unit }
                    : null;
            }
        }
    }

    private PlcPointValue? BadValue(RegisterEntry entry)
    {
        Interlocked.Increment(ref _badValues);
        Log.PlcBadValue(_logger, DeviceId, entry.Name);
        return null;
    }

    private PointPlan CreatePlan(RegisterEntry entry, IReadOnlyDictionary<string, CounterState>? counterStates)
    {
        var span = new RegisterSpan(_options.SlaveId, entry.Table, entry.Address, entry.RegisterCount);
        var index = -1;
        for (var i = 0; i < _requests.Count; i++)
        {
            if (_requests[i].Covers(span))
            {
                index = i;
                break;
            }
        }

        var request = _requests[index];
        ReportFilter filter;
        CounterTracker? counter = null;
        switch (entry.Meaning)
        {
            case RegisterMeaning.Counter:
                var max = _options.CounterMaxDeltas.TryGetValue(entry.Name, out var m) ? m : _options.MaxPlausibleCounterDelta;
                CounterState? resume = counterStates is not null && counterStates.TryGetValue(entry.Name, out var s) ? s : null;
                counter = new CounterTracker(CounterWidthOf(entry), max, resume);
                filter = new ReportFilter(ReportRule.PositiveDelta, 0, _options.Heartbeat);
                break;
            case RegisterMeaning.State:
                filter = new ReportFilter(ReportRule.AnyChange, 0, _options.Heartbeat);
                break;
            default:
                var deadband = _options.Deadbands.TryGetValue(entry.Name, out var d) ? d : _options.DefaultDeadband;
                filter = new ReportFilter(ReportRule.Deadband, deadband, _options.Heartbeat);
                break;
        }

        return new PointPlan(entry, index, entry.Address - request.Address, filter, counter);
    }

    private static int CounterWidthOf(RegisterEntry entry) =>
        entry.DataType switch
        {
            RegisterDataType.U16 => 16,
            RegisterDataType.U32 => 32,
            _ => 0,
        };

    private sealed record PointPlan(RegisterEntry Entry, int RequestIndex, int Offset, ReportFilter Filter, CounterTracker? Counter);
}
