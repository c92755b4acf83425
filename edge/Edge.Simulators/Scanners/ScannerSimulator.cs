using System.Globalization;
using System.Text;
using Edge.Simulators.Hosting;
using Microsoft.Extensions.Logging;

namespace Edge.Simulators.Scanners;

/// <summary>Settings of a scanner simulator.</summary>
internal sealed class ScannerSimulatorOptions
{
    /// <summary>A name for log lines.</summary>
    public string Name { get; set; } = "scanner";

    /// <summary>Barcodes (lot labels, plate codes) or RFID EPC tags (truck cards).</summary>
    public bool Rfid { get; set; }

    /// <summary>TCP port to serve lines on (0: any free port); null for none.</summary>
    public int? TcpPort { get; set; }

    /// <summary>Serial device to write lines to; null for none.</summary>
    public string? SerialPath { get; set; }

    /// <summary>Mean time between reads (each gap is drawn from half to one and a half of it).</summary>
    public TimeSpan MeanInterval { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>Chance that a read comes twice within a fraction of a second, as a trigger held too long does.</summary>
    public double DoubleReadProbability { get; set; } = 0.25;

    /// <summary>Random seed.</summary>
    public int Seed { get; set; } = 11;

    /// <summary>Address the TCP port listens on.</summary>
    public string Address { get; set; } = "127.0.0.1";
}

/// <summary>
/// A barcode scanner or RFID reader speaking the common line protocol: each read is one line of text ending in
/// CR LF (a barcode's content, or an EPC in hex), over TCP and/or a serial device. Now and then a read is repeated
/// a moment later, which the gateway's repeat suppression must swallow.
/// </summary>
internal sealed class ScannerSimulator : IAsyncDisposable
{
    private readonly ScannerSimulatorOptions _options;
    private readonly BroadcastOutput _output;
    private readonly ILogger _logger;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly string[] _codes;

    public ScannerSimulator(ScannerSimulatorOptions options, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _random = new Random(options.Seed);
        _codes = options.Rfid ? MakeEpcs(_random, 12) : MakeBarcodes(_random, 40);
        _output = new BroadcastOutput(options.Name, options.TcpPort, options.SerialPath, logger, options.Address);
        _loop = Task.Run(RunAsync);
    }

    public int? Port => _output.Port;

    public int ClientCount => _output.ClientCount;

    /// <summary>Distinct reads sent (a double read counts once).</summary>
    public long Reads { get; private set; }

    /// <summary>Double reads sent.</summary>
    public long DoubleReads { get; private set; }

    /// <summary>Sends one read now (tests), optionally twice in a row.</summary>
    public void Send(string code, bool twice = false)
    {
        var line = Encoding.ASCII.GetBytes(code + "\r\n");
        _output.Send(line);
        if (twice)
        {
            _output.Send(line);
        }
    }

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
        if (_options.MeanInterval <= TimeSpan.Zero)
        {
            return;
        }

        while (!_stop.IsCancellationRequested)
        {
            var gap = _options.MeanInterval * (0.5 + _random.NextDouble());
            await Task.Delay(gap, _stop.Token);
            var code = _codes[_random.Next(_codes.Length)];
            var line = Encoding.ASCII.GetBytes(code + "\r\n");
            _output.Send(line);
            Reads++;
            Log.CodeRead(_logger, _options.Name, code);
            if (_random.NextDouble() < _options.DoubleReadProbability)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(80 + _random.Next(250)), _stop.Token);
                _output.Send(line);
                DoubleReads++;
                Log.DoubleRead(_logger, _options.Name, code);
            }
        }
    }

    private static string[] MakeBarcodes(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ => string.Create(CultureInfo.InvariantCulture, $"LOT-{2026}-{random.Next(1, 999_999):D6}"))];

    // SGTIN-96-looking EPCs: header 0x30, then random filter, partition and serial bits.
    private static string[] MakeEpcs(Random random, int count) =>
        [.. Enumerable.Range(0, count).Select(_ =>
        {
            var bytes = new byte[12];
            random.NextBytes(bytes);
            bytes[0] = 0x30;
            return Convert.ToHexString(bytes);
        })];
}
