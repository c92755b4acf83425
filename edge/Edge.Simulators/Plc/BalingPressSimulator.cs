using Edge.Contracts.RegisterMaps;
using Edge.Modbus;
using Microsoft.Extensions.Logging;

namespace Edge.Simulators.Plc;

/// <summary>Settings of the baling-press PLC simulator.</summary>
internal sealed class BalingPressOptions
{
    /// <summary>The register map the PLC program follows (firmware-contracts/register-maps/baling-press.json).</summary>
    public string RegisterMapFile { get; set; } = string.Empty;

    /// <summary>Address to listen on.</summary>
    public string Address { get; set; } = "127.0.0.1";

    /// <summary>Modbus TCP port (0: any free port).</summary>
    public int Port { get; set; }

    /// <summary>A bale is finished this often while the press runs.</summary>
    public TimeSpan BaleInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>The PLC "restarts" (counters back to 0) this often; zero: only on request.</summary>
    public TimeSpan RestartEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the registers are updated.</summary>
    public TimeSpan Tick { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>Random seed.</summary>
    public int Seed { get; set; } = 7;
}

/// <summary>
/// Line BP1's PLC as a Modbus TCP server (Edge.Modbus over libmodbus) laid out by its register map: a bale counter
/// (u32) that counts while the press runs, run/stop/fault state, a reject counter (u16), hydraulic pressure that
/// climbs through each compression stroke, motor current, oil temperature, the last bale's weight, the safety gate,
/// and the red stack-light coil the hub may switch. A "PLC restart" (every few minutes, or <see cref="Restart"/>)
/// stops the line for two seconds and resets both counters to zero, as a real program download or power cycle does.
/// </summary>
internal sealed class BalingPressSimulator : IAsyncDisposable
{
    private static readonly TimeSpan s_restartPause = TimeSpan.FromSeconds(2);
    private readonly BalingPressOptions _options;
    private readonly RegisterMap _map;
    private readonly ModbusDataStore _store;
    private readonly ModbusTcpServer _server;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly Lock _lock = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Task _writes;
    private uint _bales;
    private ushort _rejects;
    private int _runState = 1;
    private double _oilC = 38;
    private float _baleKg = 500;
    private DateTimeOffset _nextBale;
    private DateTimeOffset _nextRestart;
    private DateTimeOffset? _restartUntil;
    private DateTimeOffset _strokeStart;
    private bool _restartRequested;

    public BalingPressSimulator(BalingPressOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _map = RegisterMap.Load(options.RegisterMapFile);
        _random = new Random(options.Seed);
        _store = new ModbusDataStore(new ModbusAddressRange(0, 16), new ModbusAddressRange(0, 16), new ModbusAddressRange(0, 64), new ModbusAddressRange(0, 16));
        var now = DateTimeOffset.UtcNow;
        _nextBale = now + options.BaleInterval;
        _strokeStart = now;
        _nextRestart = options.RestartEvery > TimeSpan.Zero ? now + options.RestartEvery : DateTimeOffset.MaxValue;
        Write(now);
        _server = ModbusTcpServer.Start(_store, new ModbusTcpServerOptions { Address = options.Address, Port = options.Port, MaxClients = 32 });
        Log.PlcListening(logger, options.Address, _server.Port, _map.Program);
        _loop = Task.Run(RunAsync);
        _writes = Task.Run(WatchWritesAsync);
    }

    public int Port => _server.Port;

    public ModbusDataStore Store => _store;

    /// <summary>Bales finished since the last restart.</summary>
    public uint Bales
    {
        get
        {
            lock (_lock)
            {
                return _bales;
            }
        }
    }

    /// <summary>PLC restarts so far.</summary>
    public int Restarts { get; private set; }

    /// <summary>Whether the red stack light coil is on (the hub switches it through the gateway).</summary>
    public bool StackLightRed => _store.GetCoil((ushort)(_map.Find("stack_light_red")?.Address ?? 0));

    /// <summary>Restarts the PLC now: the line stops, both counters go back to 0, then it runs again.</summary>
    public void Restart()
    {
        lock (_lock)
        {
            _restartRequested = true;
        }
    }

    /// <summary>Stops (false) or starts (true) the line by hand.</summary>
    public void SetRunning(bool running)
    {
        lock (_lock)
        {
            _runState = running ? 1 : 0;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await Task.WhenAll(_loop, _writes);
        }
        catch (OperationCanceledException)
        {
        }

        await _server.DisposeAsync();
        _store.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        using var timer = new PeriodicTimer(_options.Tick);
        while (await timer.WaitForNextTickAsync(_stop.Token))
        {
            Step(DateTimeOffset.UtcNow);
        }
    }

    private void Step(DateTimeOffset now)
    {
        lock (_lock)
        {
            if (_restartRequested || now >= _nextRestart)
            {
                _restartRequested = false;
                _nextRestart = _options.RestartEvery > TimeSpan.Zero ? now + _options.RestartEvery : DateTimeOffset.MaxValue;
                _restartUntil = now + s_restartPause;
                _bales = 0;
                _rejects = 0;
                _runState = 0;
                Restarts++;
                Log.PlcRestarted(_logger, Restarts);
            }
            else if (_restartUntil is { } until && now >= until)
            {
                _restartUntil = null;
                _runState = 1;
                _nextBale = now + _options.BaleInterval;
                _strokeStart = now;
            }

            if (_runState == 1 && now >= _nextBale)
            {
                _bales++;
                _baleKg = (float)Math.Round(420 + (_random.NextDouble() * 180), 1);
                if (_random.NextDouble() < 0.08)
                {
                    _rejects++;
                }

                _nextBale += _options.BaleInterval;
                _strokeStart = now;
                Log.BaleFinished(_logger, _bales, _baleKg, _rejects);
            }

            if (_runState != 1)
            {
                _nextBale = now + _options.BaleInterval;
            }

            Write(now);
        }
    }

    private void Write(DateTimeOffset now)
    {
        var running = _runState == 1;

        // One compression stroke per bale: pressure climbs to ~18 MPa and falls back as the ram returns.
        var stroke = Math.Clamp((now - _strokeStart) / _options.BaleInterval, 0, 1);
        var pressureKpa = running ? 2_000 + (16_000 * Math.Sin(Math.PI * stroke)) + Noise(150) : 300 + Noise(20);
        var currentA = running ? 38 + (14 * Math.Sin(Math.PI * stroke)) + Noise(0.8) : 0.4;
        _oilC = Math.Clamp(_oilC + (running ? 0.002 : -0.001) + Noise(0.01), 25, 65);

        Span<ushort> holding = stackalloc ushort[10];
        Set(holding, "bale_count", _bales);
        Set(holding, "run_state", _runState);
        Set(holding, "reject_count", _rejects);
        Set(holding, "hydraulic_pressure", Math.Round(Math.Max(pressureKpa, 0) / 10));
        Set(holding, "motor_current", Math.Round(Math.Max(currentA, 0) / 0.1));
        Set(holding, "bale_weight", _baleKg);
        Set(holding, "oil_temperature", Math.Round(_oilC / 0.1));

        // One call: a poll never sees the two words of the bale counter from different moments.
        _store.WriteHoldingRegisters(0, holding);
        _store.SetDiscreteInput((ushort)(_map.Find("safety_gate")?.Address ?? 0), running);
    }

    private void Set(Span<ushort> holding, string name, double raw)
    {
        var entry = _map.Find(name) ?? throw new InvalidOperationException($"The register map has no entry '{name}'.");
        _map.WriteRaw(entry, raw, holding.Slice(entry.Address, entry.RegisterCount));
    }

    private double Noise(double amplitude) => ((_random.NextDouble() * 2) - 1) * amplitude;

    private async Task WatchWritesAsync()
    {
        await foreach (var w in _store.Writes.ReadAllAsync(_stop.Token))
        {
            if (w.Table == ModbusTable.Coils)
            {
                var value = _store.GetCoil(w.Address);
                Log.CoilWritten(_logger, w.Address, value);
            }
        }
    }
}
