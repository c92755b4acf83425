namespace Edge.Devices.Scales;

/// <summary>
/// A scale as the gateway and a weighbridge transaction engine see it, whatever the indicator's protocol.
/// </summary>
/// <remarks>
/// Concurrency contract: every member may be called from any thread. Samples are produced by the driver's own loop
/// (<c>RunAsync</c>); readers never block it. A weighbridge transaction engine typically calls
/// <see cref="WaitForStableAsync"/> for the first weighing, then again for the second, and takes the weight from the
/// returned sample.
/// </remarks>
public interface IScale
{
    /// <summary>The device id.</summary>
    string DeviceId { get; }

    /// <summary>The newest sample, stable or not; <see langword="null"/> before the first one.</summary>
    ScaleSample? CurrentSample { get; }

    /// <summary>The scale's health.</summary>
    DeviceHealthTracker Health { get; }

    /// <summary>Frames accepted and rejected per reason (register reads for a Modbus scale count as frames).</summary>
    FrameCounters Counters { get; }

    /// <summary>
    /// Every sample from now on, until <paramref name="cancellationToken"/> is cancelled. Each call gets its own
    /// stream; a reader that falls more than 256 samples behind loses the oldest ones (samples are a display stream —
    /// capture a weight with <see cref="WaitForStableAsync"/>).
    /// </summary>
    /// <param name="cancellationToken">Ends the stream.</param>
    /// <returns>The samples.</returns>
    IAsyncEnumerable<ScaleSample> ReadSamplesAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Waits for a stable sample: returns the current one at once if it is stable and fresh, else the next stable one.
    /// </summary>
    /// <param name="timeout">How long to wait.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>The stable sample (its <see cref="ScaleSample.WeightKg"/> is the weight to capture), or
    /// <see langword="null"/> when none came within <paramref name="timeout"/>.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    Task<ScaleSample?> WaitForStableAsync(TimeSpan timeout, CancellationToken cancellationToken = default);
}

/// <summary>A scale driver: an <see cref="IScale"/> plus the loop that reads the indicator.</summary>
public interface IScaleDriver : IScale
{
    /// <summary>Reads the indicator until <paramref name="cancellationToken"/> is cancelled; never ends on its own.</summary>
    /// <param name="cancellationToken">Stops reading.</param>
    /// <returns>A task that completes when cancelled.</returns>
    Task RunAsync(CancellationToken cancellationToken);
}
