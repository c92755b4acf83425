using System.Runtime.CompilerServices;
using Edge.Evdev;
using Microsoft.Extensions.Logging;

namespace Edge.Devices.Scanners;

/// <summary>Connects <see cref="Scanner"/> to the Edge.Evdev keyboard-wedge binding (libevdev).</summary>
public static class EvdevBindings
{
    /// <summary>
    /// A source for <see cref="Scanner.RunAsync(ScanSourceFactory, CancellationToken)"/>: each call opens the input
    /// device (grabbed, so scans do not leak into a console) and yields its complete scans until it is unplugged or the
    /// token is cancelled, then closes it.
    /// </summary>
    /// <param name="devicePath">The device, preferably a stable <c>/dev/input/by-id/…-event-kbd</c> link.</param>
    /// <param name="layout">The keyboard country the scanner is set to; US by default.</param>
    /// <param name="options">Grab and decoding options.</param>
    /// <param name="logger">The binding's logger.</param>
    /// <param name="timeProvider">The binding's clock.</param>
    /// <returns>The factory.</returns>
    public static ScanSourceFactory ScanSource(string devicePath, KeyboardLayout? layout = null, BarcodeScannerOptions? options = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(devicePath);
        return cancellationToken => ReadAsync(devicePath, layout, options, logger, timeProvider, cancellationToken);
    }

    private static async IAsyncEnumerable<string> ReadAsync(string devicePath, KeyboardLayout? layout, BarcodeScannerOptions? options, ILogger? logger, TimeProvider? timeProvider, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var scanner = BarcodeScanner.Open(devicePath, layout, options, logger, timeProvider);
        await using (scanner.ConfigureAwait(false))
        {
            await foreach (var scan in scanner.ReadScansAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return scan.Text;
            }
        }
    }
}
