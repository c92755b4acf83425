using System.Runtime.CompilerServices;
using System.Threading.Channels;
using Edge.Contracts;

namespace Edge.Devices.Scales;

/// <summary>
/// The part every scale driver shares: applies the capacity check and the stability rule to parsed samples and
/// distributes them to the current-sample slot, subscribers and stable-weight waiters.
/// </summary>
internal sealed class ScaleSampleHub
{
    private const int SubscriberCapacity = 256;
    private readonly StabilityDetector _stability;
    private readonly double? _capacityKg;
    private readonly TimeSpan _staleAfter;
    private readonly TimeProvider _time;
    private readonly Lock _lock = new();
    private readonly List<ChannelWriter<ScaleSample>> _subscribers = [];
    private readonly List<TaskCompletionSource<ScaleSample>> _stableWaiters = [];
    private ScaleSample? _current;

    public ScaleSampleHub(StabilityOptions stability, double? capacityKg, TimeSpan staleAfter, TimeProvider timeProvider)
    {
        _stability = new StabilityDetector(stability);
        _capacityKg = capacityKg;
        _staleAfter = staleAfter;
        _time = timeProvider;
    }

    public ScaleSample? Current
    {
        get
        {
            lock (_lock)
            {
                return _current;
            }
        }
    }

    /// <summary>Called by the driver's single loop with each parsed sample.</summary>
    public ScaleSample Publish(ScaleSample sample)
    {
        // A capacity check for protocols that cannot say "overload" (XK3190-A9): beyond Max the weight is not legal.
        if (_capacityKg is { } capacity && sample.Status == IndicatorStatus.Ok && sample.WeightKg > capacity)
        {
            sample = sample with { Status = IndicatorStatus.Overload };
        }

        sample = sample with { Stable = _stability.Add(sample) };
        lock (_lock)
        {
            _current = sample;
            foreach (var writer in _subscribers)
            {
                writer.TryWrite(sample);
            }

            if (sample.Stable && _stableWaiters.Count > 0)
            {
                foreach (var waiter in _stableWaiters)
                {
                    waiter.TrySetResult(sample);
                }

                _stableWaiters.Clear();
            }
        }

        return sample;
    }

    /// <summary>The indicator was lost: whatever comes next is a new run of samples.</summary>
    public void Disconnected() => _stability.Clear();

    public async IAsyncEnumerable<ScaleSample> SubscribeAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var channel = Channel.CreateBounded<ScaleSample>(new BoundedChannelOptions(SubscriberCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
            SingleWriter = false,
        });
        lock (_lock)
        {
            _subscribers.Add(channel.Writer);
        }

        try
        {
            while (await channel.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
            {
                while (channel.Reader.TryRead(out var sample))
                {
                    yield return sample;
                }
            }
        }
        finally
        {
            lock (_lock)
            {
                _subscribers.Remove(channel.Writer);
            }
        }
    }

    public async Task<ScaleSample?> WaitForStableAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(timeout, TimeSpan.Zero);
        var waiter = new TaskCompletionSource<ScaleSample>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_current is { Stable: true } current && _time.GetUtcNow() - current.Timestamp <= _staleAfter)
            {
                return current;
            }

            _stableWaiters.Add(waiter);
        }

        try
        {
            return await waiter.Task.WaitAsync(timeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            return null;
        }
        finally
        {
            lock (_lock)
            {
                _stableWaiters.Remove(waiter);
            }
        }
    }
}
