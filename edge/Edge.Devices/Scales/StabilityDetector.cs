namespace Edge.Devices.Scales;

/// <summary>
/// Decides stability at the gateway: the newest samples are stable when at least
/// <see cref="StabilityOptions.MinSamples"/> of them in a row lie within ±<see cref="StabilityOptions.ToleranceKg"/>
/// of a common centre and span at least <see cref="StabilityOptions.MinDuration"/>. A sample without a weight
/// (overload, underload, fault) or, by default, with the indicator's motion flag starts over.
/// Not thread-safe: the driver's reader loop owns it.
/// </summary>
/// <remarks>
/// The stable weight reported is the newest sample's, not an average: the displayed value is what the indicator
/// certifies (legal for trade) and what the operator sees, so a ticket must carry exactly that.
/// Time is the samples' own timestamps, so the rule is independent of when <see cref="Add"/> is called.
/// </remarks>
public sealed class StabilityDetector
{
    private readonly StabilityOptions _options;
    private readonly double[] _weights;
    private readonly DateTimeOffset[] _times;
    private int _newest = -1;
    private int _count;

    // The run: the newest samples that fit the band. Tracked with its extremes so extending it is O(1); only a
    // sample that breaks the band makes the detector rescan backwards for the new, shorter run.
    private int _runLength;
    private double _runMin;
    private double _runMax;
    private DateTimeOffset _runStart;

    /// <summary>Creates a detector.</summary>
    /// <param name="options">The rule; validated here.</param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public StabilityDetector(StabilityOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Stability"));
        _options = options;
        _weights = new double[options.MaxSamples];
        _times = new DateTimeOffset[options.MaxSamples];
    }

    /// <summary>Whether the newest samples are stable.</summary>
    public bool IsStable { get; private set; }

    /// <summary>The newest sample's weight while <see cref="IsStable"/>; otherwise <see langword="null"/>.</summary>
    public double? StableWeightKg { get; private set; }

    /// <summary>How many consecutive newest samples lie in the band.</summary>
    public int RunLength => _runLength;

    /// <summary>Adds a sample and decides.</summary>
    /// <param name="sample">The sample as parsed.</param>
    /// <returns>Whether the samples are now stable.</returns>
    public bool Add(in ScaleSample sample)
    {
        if (!sample.HasWeight || (_options.HonourIndicatorMotion && sample.Motion))
        {
            Clear();
            return false;
        }

        var kg = sample.WeightKg!.Value;
        _newest = (_newest + 1) % _weights.Length;
        _weights[_newest] = kg;
        _times[_newest] = sample.Timestamp;
        _count = Math.Min(_count + 1, _weights.Length);

        var band = 2 * _options.ToleranceKg;
        if (_runLength == 0)
        {
            StartRun(kg, sample.Timestamp);
        }
        else
        {
            var min = Math.Min(_runMin, kg);
            var max = Math.Max(_runMax, kg);
            if (max - min <= band)
            {
                _runMin = min;
                _runMax = max;
                _runLength = Math.Min(_runLength + 1, _count);
            }
            else
            {
                Rescan(band);
            }
        }

        IsStable = _runLength >= _options.MinSamples && sample.Timestamp - _runStart >= _options.MinDuration;
        StableWeightKg = IsStable ? kg : null;
        return IsStable;
    }

    /// <summary>Forgets all samples, e.g. after the indicator was disconnected.</summary>
    public void Clear()
    {
        _count = 0;
        _newest = -1;
        _runLength = 0;
        IsStable = false;
        StableWeightKg = null;
    }

    private void StartRun(double kg, DateTimeOffset time)
    {
        _runLength = 1;
        _runMin = kg;
        _runMax = kg;
        _runStart = time;
    }

    private void Rescan(double band)
    {
        var index = _newest;
        var min = _weights[index];
        var max = min;
        var length = 1;
        var start = _times[index];
        for (var i = 1; i < _count; i++)
        {
            index = index == 0 ? _weights.Length - 1 : index - 1;
            var w = _weights[index];
            var newMin = Math.Min(min, w);
            var newMax = Math.Max(max, w);
            if (newMax - newMin > band)
            {
                break;
            }

            min = newMin;
            max = newMax;
            length++;
            start = _times[index];
        }

        _runLength = length;
        _runMin = min;
        _runMax = max;
        _runStart = start;
    }
}
