using System.Text.RegularExpressions;
using Edge.Contracts;

namespace Edge.Devices.Scanners;

/// <summary>
/// The pure part of a scanner: extracts, validates and normalises a code from one read and suppresses repeats.
/// Thread-safe.
/// </summary>
public sealed class ScanProcessor
{
    private readonly ScannerOptions _options;
    private readonly Regex? _pattern;
    private readonly RepeatSuppressor _suppressor;
    private readonly int[] _epcLengths;
    private long _accepted;
    private long _suppressed;
    private long _rejected;

    /// <summary>Creates the processor.</summary>
    /// <param name="options">The scanner options; validated here.</param>
    /// <param name="suppressor">
    /// A suppressor shared by the scanners of one station (so a code read by two readers at the same gate counts once),
    /// or <see langword="null"/> for one of its own.
    /// </param>
    /// <exception cref="DeviceConfigurationException">The options are not valid.</exception>
    public ScanProcessor(ScannerOptions options, RepeatSuppressor? suppressor = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        DeviceConfigurationException.ThrowIfAny(options.Validate("Scanner"));
        _options = options;
        _pattern = options.CodePattern is null ? null : new Regex(options.CodePattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        _suppressor = suppressor ?? new RepeatSuppressor(options.RepeatWindow, options.SlidingWindow);
        _epcLengths = [.. options.EpcHexLengths];
    }

    /// <summary>Reads accepted.</summary>
    public long Accepted => Interlocked.Read(ref _accepted);

    /// <summary>Repeats suppressed.</summary>
    public long Suppressed => Interlocked.Read(ref _suppressed);

    /// <summary>Reads rejected as invalid.</summary>
    public long Rejected => Interlocked.Read(ref _rejected);

    /// <summary>Processes one read.</summary>
    /// <param name="raw">The read: a scanned string or one line.</param>
    /// <param name="timestamp">When it was read.</param>
    /// <param name="read">The scan when accepted.</param>
    /// <param name="rejection">Why it was rejected, when it was.</param>
    /// <returns>Accepted, suppressed or rejected.</returns>
    public ScanOutcome Process(string raw, DateTimeOffset timestamp, out ScanRead? read, out ScanRejection rejection)
    {
        ArgumentNullException.ThrowIfNull(raw);
        read = null;
        ReadOnlySpan<char> text = raw;
        if (_pattern is not null)
        {
            Match match;
            try
            {
                match = _pattern.Match(raw);
            }
            catch (RegexMatchTimeoutException)
            {
                match = Match.Empty;
            }

            if (!match.Success || !match.Groups["code"].Success)
            {
                Interlocked.Increment(ref _rejected);
                rejection = ScanRejection.NoMatch;
                return ScanOutcome.Rejected;
            }

            text = match.Groups["code"].ValueSpan;
        }

        string code;
        rejection = _options.Tech == ScanTech.Rfid
            ? CodeNormalizer.NormalizeEpc(text, _epcLengths, out code)
            : CodeNormalizer.NormalizeBarcode(text, out code);
        if (rejection != ScanRejection.None)
        {
            Interlocked.Increment(ref _rejected);
            return ScanOutcome.Rejected;
        }

        if (!_suppressor.ShouldAccept(_options.Station, code, timestamp))
        {
            Interlocked.Increment(ref _suppressed);
            return ScanOutcome.Suppressed;
        }

        Interlocked.Increment(ref _accepted);
        read = new ScanRead(_options.DeviceId, _options.Station, code, _options.Tech, _options.Symbology, timestamp);
        return ScanOutcome.Accepted;
    }
}
