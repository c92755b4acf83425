using Edge.Outbox.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Outbox;

/// <summary>
/// Asks the kernel through adjtimex(2): the return value TIME_ERROR (5) means the clock is not synchronized (the
/// kernel sets it while STA_UNSYNC is set, which NTP daemons such as systemd-timesyncd or chrony clear once they
/// have disciplined the clock). The answer is cached for <see cref="CacheFor"/> so producers may ask per reading.
/// Thread-safe.
/// </summary>
public sealed class KernelClockSyncSource : IClockSyncSource
{
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly Func<int> _readState;
    private readonly Lock _lock = new();
    private long _validUntilTimestamp;
    private bool _hasValue;
    private bool _synchronized;

    /// <summary>Creates the source.</summary>
    /// <param name="timeProvider">Clock for the cache; <see cref="TimeProvider.System"/> when null.</param>
    /// <param name="logger">Logger; none when null.</param>
    public KernelClockSyncSource(TimeProvider? timeProvider = null, ILogger<KernelClockSyncSource>? logger = null)
        : this(LibcProxy.ReadClockState, timeProvider, logger)
    {
    }

    internal KernelClockSyncSource(Func<int> readState, TimeProvider? timeProvider, ILogger? logger)
    {
        _readState = readState;
        _timeProvider = timeProvider ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>How long an answer is reused.</summary>
    public TimeSpan CacheFor { get; init; } = TimeSpan.FromSeconds(5);

    /// <inheritdoc/>
    public bool IsSynchronized
    {
        get
        {
            var now = _timeProvider.GetTimestamp();
            lock (_lock)
            {
                if (_hasValue && now < _validUntilTimestamp)
                {
                    return _synchronized;
                }

                bool synchronized;
                try
                {
                    var state = _readState();
                    synchronized = state != Interop.Libc.TimeError;
                    if (!_hasValue || synchronized != _synchronized)
                    {
                        _logger.ClockSyncChanged(synchronized, state);
                    }
                }
                catch (IOException ex)
                {
                    // Unknown is reported as unsynchronized: a wrong "synced" flag would hide a bad timestamp.
                    _logger.ClockStateUnavailable(ex);
                    synchronized = false;
                }

                _synchronized = synchronized;
                _hasValue = true;
                _validUntilTimestamp = now + (long)(CacheFor.TotalSeconds * _timeProvider.TimestampFrequency);
                return synchronized;
            }
        }
    }

    /// <summary>Reads the kernel's clock state now, bypassing the cache (0 TIME_OK … 5 TIME_ERROR).</summary>
    /// <returns>adjtimex(2)'s return value.</returns>
    /// <exception cref="IOException">adjtimex failed; carries errno.</exception>
    public static int ReadKernelClockState() => LibcProxy.ReadClockState();
}
