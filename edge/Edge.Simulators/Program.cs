using System.Globalization;
using System.Runtime.InteropServices;
using Edge.Simulators.Plc;
using Edge.Simulators.Scanners;
using Edge.Simulators.Weighbridge;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Edge.Simulators;

/// <summary>
/// <c>Edge.Simulators weighbridge|plc|scanner|rfid|all [options]</c>: plant devices for the demo and for tests.
/// Runs until SIGTERM or Ctrl-C; reads commands from standard input (<c>restart</c> the PLC, <c>stop</c>/<c>run</c>
/// the line, <c>scan CODE</c>, <c>rfid EPC</c>).
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Edge.Simulators <weighbridge|plc|scanner|rfid|all> [options]
          every one    --address A (listen address, default 127.0.0.1)
          weighbridge  --port N  --serial PATH  --speed X  --seed N  --fps N  --no-checksum
          plc          --port N  --address A  --register-map FILE  --bale-interval S  --restart-every S (0: never)
          scanner|rfid --port N  --serial PATH  --interval S  --double-read P  --seed N
          all          --weighbridge-port N --plc-port N --scanner-port N --rfid-port N --register-map FILE
                       --weighbridge-serial PATH --speed X --bale-interval S --restart-every S --interval S
        standard input: restart | stop | run | scan CODE | rfid EPC
        """;

    private static async Task<int> Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }

        if (!SimulatorArguments.TryParse(args[1..], out var a, out var problem))
        {
            Console.Error.WriteLine(problem + "\n" + Usage);
            return 2;
        }

        using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
            o.ColorBehavior = LoggerColorBehavior.Disabled;
        }));
        var logger = loggers.CreateLogger("Edge.Simulators");
        using var stop = new CancellationTokenSource();
        using var term = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });
        using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, c =>
        {
            c.Cancel = true;
            stop.Cancel();
        });

        var parts = new List<IAsyncDisposable>();
        BalingPressSimulator? plc = null;
        ScannerSimulator? scanner = null;
        ScannerSimulator? rfid = null;
        try
        {
            var command = args[0];
            var all = command == "all";
            if (command is "weighbridge" || all)
            {
                parts.Add(new ToledoIndicatorSimulator(
                    new ToledoSimulatorOptions
                    {
                        TcpPort = all ? a.Int("weighbridge-port") : a.Int("port") ?? (a.Text("serial") is null ? 0 : null),
                        SerialPath = all ? a.Text("weighbridge-serial") : a.Text("serial"),
                        Speed = a.Double("speed") ?? 1,
                        Seed = a.Int("seed") ?? 1,
                        FramesPerSecond = a.Double("fps") ?? 10,
                        Checksum = !a.Flag("no-checksum"),
                        Address = a.Text("address") ?? "127.0.0.1",
                    },
                    loggers.CreateLogger("Edge.Simulators.Weighbridge")));
            }

            if (command is "plc" || all)
            {
                plc = new BalingPressSimulator(
                    new BalingPressOptions
                    {
                        RegisterMapFile = a.Text("register-map") ?? FindRegisterMap(),
                        Address = a.Text("address") ?? "127.0.0.1",
                        Port = (all ? a.Int("plc-port") : a.Int("port")) ?? 0,
                        BaleInterval = TimeSpan.FromSeconds(a.Double("bale-interval") ?? 3),
                        RestartEvery = TimeSpan.FromSeconds(a.Double("restart-every") ?? 300),
                    },
                    loggers.CreateLogger("Edge.Simulators.Plc"));
                parts.Add(plc);
            }

            if (command is "scanner" || (all && a.Int("scanner-port") is not null))
            {
                scanner = new ScannerSimulator(ScannerOptions(a, all ? "scanner-port" : "port", rfid: false), loggers.CreateLogger("Edge.Simulators.Scanner"));
                parts.Add(scanner);
            }

            if (command is "rfid" || (all && a.Int("rfid-port") is not null))
            {
                rfid = new ScannerSimulator(ScannerOptions(a, all ? "rfid-port" : "port", rfid: true), loggers.CreateLogger("Edge.Simulators.Rfid"));
                parts.Add(rfid);
            }

            if (parts.Count == 0)
            {
                Console.Error.WriteLine($"unknown simulator '{command}'\n{Usage}");
                return 2;
            }

            _ = Task.Run(() => ReadCommandsAsync(plc, scanner, rfid, logger, stop.Token));
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }
            catch (OperationCanceledException)
            {
                // SIGTERM or Ctrl-C.
            }

            return 0;
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or FormatException or System.Net.Sockets.SocketException)
        {
            Console.Error.WriteLine("simulator failed to start: " + ex.Message);
            return 1;
        }
        finally
        {
            foreach (var p in parts)
            {
                await p.DisposeAsync();
            }
        }
    }

    private static ScannerSimulatorOptions ScannerOptions(SimulatorArguments a, string portKey, bool rfid) => new()
    {
        Name = rfid ? "rfid" : "scanner",
        Rfid = rfid,
        TcpPort = a.Int(portKey) ?? (a.Text("serial") is null ? 0 : null),
        SerialPath = portKey == "port" ? a.Text("serial") : null,
        MeanInterval = TimeSpan.FromSeconds(a.Double("interval") ?? 3),
        DoubleReadProbability = a.Double("double-read") ?? 0.25,
        Seed = (a.Int("seed") ?? 11) + (rfid ? 1 : 0),
        Address = a.Text("address") ?? "127.0.0.1",
    };

    private static async Task ReadCommandsAsync(BalingPressSimulator? plc, ScannerSimulator? scanner, ScannerSimulator? rfid, ILogger logger, CancellationToken cancellationToken)
    {
        using var input = Console.OpenStandardInput();
        using var reader = new StreamReader(input);
        while (!cancellationToken.IsCancellationRequested)
        {
            var line = await reader.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return;
            }

            var parts = line.Trim().Split(' ', 2, StringSplitOptions.RemoveEmptyEntries);
            switch (parts.FirstOrDefault())
            {
                case null:
                    break;
                case "restart" when plc is not null:
                    plc.Restart();
                    break;
                case "stop" when plc is not null:
                    plc.SetRunning(false);
                    break;
                case "run" when plc is not null:
                    plc.SetRunning(true);
                    break;
                case "scan" when scanner is not null && parts.Length == 2:
                    scanner.Send(parts[1]);
                    break;
                case "rfid" when rfid is not null && parts.Length == 2:
                    rfid.Send(parts[1]);
                    break;
                default:
                    Log.UnknownCommand(logger, line);
                    break;
            }
        }
    }

    /// <summary>The baling-press map from the repository, found from the binary's folder upwards.</summary>
    private static string FindRegisterMap()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "firmware-contracts", "register-maps", "baling-press.json");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new ArgumentException("--register-map is required (firmware-contracts/register-maps/baling-press.json was not found above the binary).");
    }
}

/// <summary><c>--key value</c> and <c>--flag</c> arguments.</summary>
internal sealed class SimulatorArguments
{
    private static readonly HashSet<string> s_flags = ["no-checksum"];
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);

    public static bool TryParse(string[] args, out SimulatorArguments parsed, out string? problem)
    {
        parsed = new SimulatorArguments();
        problem = null;
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                problem = $"unexpected argument '{args[i]}'";
                return false;
            }

            var key = args[i][2..];
            if (s_flags.Contains(key))
            {
                parsed._values[key] = "true";
                continue;
            }

            if (i + 1 >= args.Length)
            {
                problem = $"--{key} needs a value";
                return false;
            }

            parsed._values[key] = args[++i];
        }

        return true;
    }

    public string? Text(string key) => _values.TryGetValue(key, out var v) ? v : null;

    public bool Flag(string key) => _values.ContainsKey(key);

    public int? Int(string key) => Text(key) is { } v ? int.Parse(v, NumberStyles.Integer, CultureInfo.InvariantCulture) : null;

    public double? Double(string key) => Text(key) is { } v ? double.Parse(v, NumberStyles.Float, CultureInfo.InvariantCulture) : null;
}
