namespace Edge.Devices.Plc;

/// <summary>How a counter update was interpreted.</summary>
public enum CounterStep
{
    /// <summary>The first value seen without a stored state: the baseline, delta 0.</summary>
    Baseline,

    /// <summary>The counter went forward (or stayed); delta = raw − previous.</summary>
    Forward,

    /// <summary>The counter passed 2^width − 1 and restarted at 0; delta counts across the wrap.</summary>
    Wrap,

    /// <summary>The counter went backwards by more than a plausible wrap: a PLC reset; a new epoch starts and delta = raw.</summary>
    Reset,
}

/// <summary>The persisted position of a counter: the last raw value durably recorded and its epoch.</summary>
/// <param name="LastRaw">The raw value of the last stored reading.</param>
/// <param name="Epoch">The epoch of that reading.</param>
public readonly record struct CounterState(ulong LastRaw, long Epoch);

/// <summary>One interpreted counter value.</summary>
/// <param name="Raw">The raw value read.</param>
/// <param name="Delta">The increase since the previous value, never negative.</param>
/// <param name="Epoch">The epoch, incremented at every reset.</param>
/// <param name="Width">The counter's width in bits.</param>
/// <param name="Step">How the value was interpreted.</param>
public readonly record struct CounterUpdate(ulong Raw, ulong Delta, long Epoch, int Width, CounterStep Step);

/// <summary>
/// Turns successive raw values of a PLC counter into deltas that survive wrap-around and resets: no negative delta and
/// no increment counted twice. Not thread-safe: one poller owns it.
/// </summary>
/// <remarks>
/// <para>A backwards step is ambiguous: the counter either wrapped (passed 2^width − 1) or was reset (PLC restart,
/// operator reset, program download). The rule: it is a wrap only if the wrap-adjusted delta,
/// (raw − previous) mod 2^width, is at most <see cref="MaxPlausibleDelta"/>, the most the counter can advance between
/// two polls; otherwise it is a reset, a new epoch starts and the delta is the new raw value counted from 0.</para>
/// <para>Risks, both bounded by choosing the limit near the real maximum rate × poll interval: a reset that happens
/// while the counter is within <see cref="MaxPlausibleDelta"/> below its wrap point, and is followed by a small count,
/// is taken for a wrap and over-counts by the distance to the wrap point; a genuine wrap after a gap longer than the
/// limit allows (polls missed for a long time) is taken for a reset and under-counts by 2^width − previous. Forward
/// steps are always believed: a reset followed by counting past the previous value between two polls is invisible.</para>
/// </remarks>
public sealed class CounterTracker
{
    private readonly ulong _mask;
    private bool _hasPrevious;
    private ulong _previous;
    private long _epoch;

    /// <summary>Creates a tracker with no history: the first value is the baseline.</summary>
    /// <param name="width">The counter's width in bits: 16, 32 or 64.</param>
    /// <param name="maxPlausibleDelta">The most the counter can advance between two polls (≥ 1, &lt; 2^width).</param>
    public CounterTracker(int width, ulong maxPlausibleDelta)
        : this(width, maxPlausibleDelta, null)
    {
    }

    /// <summary>Creates a tracker resuming from a stored state (the last durably recorded reading).</summary>
    /// <param name="width">The counter's width in bits: 16, 32 or 64.</param>
    /// <param name="maxPlausibleDelta">The most the counter can advance between two polls (≥ 1, &lt; 2^width).</param>
    /// <param name="resumeFrom">The stored state, or <see langword="null"/> to start with a baseline.</param>
    public CounterTracker(int width, ulong maxPlausibleDelta, CounterState? resumeFrom)
    {
        if (width is not (16 or 32 or 64))
        {
            throw new ArgumentOutOfRangeException(nameof(width), width, "A counter is 16, 32 or 64 bits wide.");
        }

        _mask = width == 64 ? ulong.MaxValue : (1UL << width) - 1;
        if (maxPlausibleDelta < 1 || maxPlausibleDelta > _mask)
        {
            throw new ArgumentOutOfRangeException(nameof(maxPlausibleDelta), maxPlausibleDelta, $"Must be between 1 and 2^{width} - 1.");
        }

        Width = width;
        MaxPlausibleDelta = maxPlausibleDelta;
        if (resumeFrom is { } state)
        {
            if (state.LastRaw > _mask || state.Epoch < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(resumeFrom), state, $"The raw value must fit {width} bits and the epoch must not be negative.");
            }

            _hasPrevious = true;
            _previous = state.LastRaw;
            _epoch = state.Epoch;
        }
    }

    /// <summary>The width in bits.</summary>
    public int Width { get; }

    /// <summary>The most the counter can advance between two polls.</summary>
    public ulong MaxPlausibleDelta { get; }

    /// <summary>The state after the last update, to persist with the reading that carries it.</summary>
    public CounterState? State => _hasPrevious ? new CounterState(_previous, _epoch) : null;

    /// <summary>
    /// The default limit: 10,000 per poll. Production counters (bales, parts, rejects) advance a few per second; even a
    /// 1 kHz pulse input polled every second stays below it, and it is far enough below 2^16 to tell a reset from a wrap.
    /// </summary>
    public const ulong DefaultMaxPlausibleDelta = 10_000;

    /// <summary>Interprets the next raw value.</summary>
    /// <param name="raw">The value read; must fit the width.</param>
    /// <returns>The delta, epoch and interpretation.</returns>
    public CounterUpdate Update(ulong raw)
    {
        if (raw > _mask)
        {
            throw new ArgumentOutOfRangeException(nameof(raw), raw, $"Does not fit {Width} bits.");
        }

        CounterStep step;
        ulong delta;
        if (!_hasPrevious)
        {
            step = CounterStep.Baseline;
            delta = 0;
            _hasPrevious = true;
        }
        else if (raw >= _previous)
        {
            step = CounterStep.Forward;
            delta = raw - _previous;
        }
        else
        {
            var wrapped = unchecked(raw - _previous) & _mask;
            if (wrapped <= MaxPlausibleDelta)
            {
                step = CounterStep.Wrap;
                delta = wrapped;
            }
            else
            {
                step = CounterStep.Reset;
                delta = raw;
                _epoch++;
            }
        }

        _previous = raw;
        return new CounterUpdate(raw, delta, _epoch, Width, step);
    }
}
