using System.Runtime.CompilerServices;
using Edge.Gpio;

namespace Edge.Devices.Gpio;

/// <summary>Connects the pulse counter and the output controller to the Edge.Gpio binding (libgpiod v1).</summary>
public static class GpioBindings
{
    /// <summary>
    /// An edge source for <see cref="PulseCounterDriver.RunAsync"/>: each call requests the counter's line (both edges
    /// when <see cref="PulseCounterOptions.WatchBothEdges"/>, else only the counted one) and yields its events until the
    /// line fails or the token is cancelled, then releases it. Debounce is left to <see cref="PulseCounter"/>.
    /// </summary>
    /// <param name="chip">The open chip; the caller owns it.</param>
    /// <param name="options">The counter's options (line, edges).</param>
    /// <param name="bias">The line's pull resistor, e.g. pull-up for an open-collector photo-eye.</param>
    /// <param name="lineOptions">Active-low and queue options of the line request; leave its debounce at 0 (the counter debounces).</param>
    /// <returns>The factory.</returns>
    public static EdgeSourceFactory EdgeSource(GpioChip chip, PulseCounterOptions options, GpioBias bias = GpioBias.AsIs, GpioInputOptions? lineOptions = null)
    {
        ArgumentNullException.ThrowIfNull(chip);
        ArgumentNullException.ThrowIfNull(options);
        var edge = options.WatchBothEdges ? GpioEdge.Both : options.CountEdge == EdgeKind.Rising ? GpioEdge.Rising : GpioEdge.Falling;
        return cancellationToken => ReadAsync(chip, options.Line, edge, bias, lineOptions, cancellationToken);
    }

    /// <summary>Converts a binding event to the counter's edge, carrying the binding's loss hint.</summary>
    /// <param name="e">The binding's event.</param>
    /// <returns>The edge.</returns>
    public static PulseEdge ToPulseEdge(GpioEdgeEvent e) => new(
        e.Edge == GpioEdge.Falling ? EdgeKind.Falling : EdgeKind.Rising,
        e.TimestampNanoseconds,
        e.Gap switch
        {
            GpioGap.Certain => EdgeGap.Certain,
            GpioGap.Possible => EdgeGap.Possible,
            _ => EdgeGap.None,
        });

    /// <summary>A GPIO output line as an <see cref="IOutputLine"/> for <see cref="OutputController"/>.</summary>
    /// <param name="line">The requested output line; the caller owns it.</param>
    /// <returns>The output.</returns>
    public static IOutputLine Output(GpioOutputLine line)
    {
        ArgumentNullException.ThrowIfNull(line);
        return new GpioOutput(line);
    }

    private static async IAsyncEnumerable<PulseEdge> ReadAsync(GpioChip chip, int offset, GpioEdge edge, GpioBias bias, GpioInputOptions? lineOptions, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var line = chip.RequestInput(offset, edge, bias, GpioChip.DefaultConsumer, lineOptions);
        await using (line.ConfigureAwait(false))
        {
            await foreach (var e in line.ReadEventsAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return ToPulseEdge(e);
            }
        }
    }

    private sealed class GpioOutput(GpioOutputLine line) : IOutputLine
    {
        public ValueTask SetAsync(bool on, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();

            // A line write is one ioctl: quick, so it runs inline rather than on a pool thread.
            line.Write(on);
            return ValueTask.CompletedTask;
        }
    }
}
