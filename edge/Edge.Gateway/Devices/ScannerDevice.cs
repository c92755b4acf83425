using Edge.Devices;
using Edge.Devices.Scanners;
using Edge.Evdev;
using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>
/// A barcode scanner or RFID reader on a serial line, a TCP line protocol, or a USB keyboard-wedge scanner read from
/// its evdev device (grabbed, so scans do not type into a console). The Edge.Devices scanner frames, normalises and
/// suppresses repeats; each accepted read becomes one <c>ScanEvent</c> with its own seq.
/// </summary>
/// <remarks>
/// A scan the outbox refuses is offered again every second; meanwhile the scanner's bounded queue fills and the
/// reader stops taking bytes from the device, so the device's own buffer and TCP flow control hold the rest.
/// </remarks>
internal sealed class ScannerDevice : IGatewayDevice
{
    private readonly DeviceOptions _options;
    private readonly Scanner _scanner;
    private readonly ByteSourceFactory? _open;
    private readonly ReadingSink _sink;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ScannerDevice(DeviceOptions options, ReadingSink sink, TimeProvider time, ILoggerFactory loggers)
    {
        _options = options;
        _sink = sink;
        _time = time;
        _logger = loggers.CreateLogger("Edge.Devices.Scanners." + options.Id);
        _scanner = new Scanner(DeviceOptionMapping.Scanner(options), time, _logger);
        _open = options.Connection.Kind == ConnectionKinds.Evdev ? null : ByteSources.For(options.Connection, _logger, time);
    }

    public string Id => _options.Id;

    public DeviceHealthTracker Health => _scanner.Health;

    public Scanner Scanner => _scanner;

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var reader = Task.Run(
            () => _open is null
                ? _scanner.RunAsync(EvdevBindings.ScanSource(_options.Connection.Path!, Layout(_options.Connection.KeyboardLayout), null, _logger, _time), cancellationToken)
                : _scanner.RunAsync(_open, cancellationToken),
            CancellationToken.None);
        try
        {
            await foreach (var read in _scanner.Scans.ReadAllAsync(cancellationToken))
            {
                var scan = read.ToScanEvent("pending", 1, clockSynced: false);
                while ((await _sink.AcceptAsync(scan, cancellationToken)).Outcome == AcceptOutcome.Refused)
                {
                    await Task.Delay(TimeSpan.FromSeconds(1), _time, cancellationToken);
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Stopping.
        }

        await reader;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private static KeyboardLayout Layout(string name) => name == "de" ? KeyboardLayout.German : KeyboardLayout.UnitedStates;
}
