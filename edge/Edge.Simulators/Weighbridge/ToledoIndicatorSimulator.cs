using Edge.Simulators.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Simulators.Weighbridge;

/// <summary>Settings of the weighbridge indicator simulator.</summary>
internal sealed class ToledoSimulatorOptions
{
    /// <summary>TCP port to serve frames on (0: any free port); null for none.</summary>
    public int? TcpPort { get; set; }

    /// <summary>Serial device (e.g. one end of a socat pty pair) to write frames to; null for none.</summary>
    public string? SerialPath { get; set; }

    /// <summary>Frames per second (Toledo terminals send 10–20).</summary>
    public double FramesPerSecond { get; set; } = 10;

    /// <summary>How much faster than real time trucks come and go.</summary>
    public double Speed { get; set; } = 1;

    /// <summary>Seed of the truck loads.</summary>
    public int Seed { get; set; } = 1;

    /// <summary>Whether frames carry the checksum byte.</summary>
    public bool Checksum { get; set; } = true;

    /// <summary>Address the TCP port listens on.</summary>
    public string Address { get; set; } = "127.0.0.1";
}

/// <summary>
/// A weighbridge terminal in continuous-output mode: ~10 Toledo frames a second describing trucks arriving, settling,
/// unloading and leaving (<see cref="WeighbridgeCycle"/>), over TCP and/or a serial device.
/// </summary>
internal sealed class ToledoIndicatorSimulator : IAsyncDisposable
{
    private readonly ToledoSimulatorOptions _options;
    private readonly BroadcastOutput _output;
    private readonly WeighbridgeCycle _cycle;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private WeighbridgeState _state;

    public ToledoIndicatorSimulator(ToledoSimulatorOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _cycle = new WeighbridgeCycle(options.Seed, options.Speed);
        _output = new BroadcastOutput("weighbridge", options.TcpPort, options.SerialPath, logger, options.Address);
        _loop = Task.Run(RunAsync);
    }

    public int? Port => _output.Port;

    /// <summary>The state last sent.</summary>
    public WeighbridgeState State => _state;

    public long FramesSent { get; private set; }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await _output.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        var started = TimeProvider.System.GetTimestamp();
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / _options.FramesPerSecond));
        var frame = new byte[ToledoFrame.Length];
        var lastPhase = TruckPhase.Empty;
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            _state = _cycle.At(TimeProvider.System.GetElapsedTime(started).TotalSeconds);
            if (_state.Phase != lastPhase)
            {
                Log.TruckPhase(_logger, _state.TruckNumber, _state.Phase, _state.WeightKg, _state.GrossKg, _state.TareKg);
                lastPhase = _state.Phase;
            }

            var length = _options.Checksum ? ToledoFrame.Length : ToledoFrame.Length - 1;
            ToledoFrame.Write(frame, _state.WeightKg, 0, _state.Motion, overload: false, _options.Checksum);
            _output.Send(frame.AsSpan(0, length));
            FramesSent++;
        }
    }
}
