using System.Globalization;
using Edge.TestSupport;

namespace Edge.Hub.Tests.Support;

/// <summary>A hub running as its own process (<c>dotnet Edge.Hub.dll</c>), for kill and memory tests.</summary>
internal sealed class HubProcess : IDisposable
{
    private readonly ChildProcess _process;

    private HubProcess(ChildProcess process, int port)
    {
        _process = process;
        Port = port;
        BaseUri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    public Uri BaseUri { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public string Output => _process.Output;

    /// <summary>The exit code, once <see cref="HasExited"/>.</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>The hub's own build output (the test's configuration), found from the repository root.</summary>
    public static string HubDll
    {
        get
        {
            var configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}", StringComparison.Ordinal) ? "Debug" : "Release";
            for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Edge.sln")))
                {
                    var dll = Path.Combine(dir.FullName, "hub", "Edge.Hub", "bin", configuration, "net10.0", "Edge.Hub.dll");
                    return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build the hub first: {dll} is missing.");
                }
            }

            throw new DirectoryNotFoundException($"No Edge.sln above {AppContext.BaseDirectory}.");
        }
    }

    public static async Task<HubProcess> StartAsync(HubSettings settings, IDictionary<string, string>? environment = null, bool waitReady = true, int? port = null)
    {
        var p = port ?? Ports.GetFreeTcpPort();
        var env = new Dictionary<string, string>(environment ?? new Dictionary<string, string>())
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["DOTNET_gcServer"] = "0",
        };

        // The root directory in the command line lets ./run test reap a hub left behind by a killed test host.
        var child = ChildProcess.Start("dotnet", [HubDll, .. settings.ToArgs(p), $"--EdgeTestRoot={TestDirectories.Root}"], name: $"hub:{p}", environment: env);
        var hub = new HubProcess(child, p);
        if (waitReady)
        {
            await hub.WaitReadyAsync(TimeSpan.FromSeconds(60));
        }

        return hub;
    }

    public Task WaitReadyAsync(TimeSpan timeout) => HubHttp.WaitReadyAsync(BaseUri, timeout, () => _process.Output, () => _process.HasExited);

    public HttpClient Client(string? apiKey = HubSettings.AdminKey) => HubHttp.Client(BaseUri, apiKey);

    public Task<bool> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>Resident memory of the hub process in MiB, from /proc/PID/status (VmRSS).</summary>
    public double RssMiB()
    {
        foreach (var line in File.ReadLines($"/proc/{Pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kb = long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
                return kb / 1024.0;
            }
        }

        throw new InvalidOperationException("No VmRSS line.");
    }

    public void Kill() => _process.KillHard();

    public async Task StopAsync()
    {
        _process.Terminate();
        if (!await _process.WaitForExitAsync(TimeSpan.FromSeconds(40)))
        {
            _process.KillHard();
        }
    }

    public void Dispose() => _process.Dispose();
}
