using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Edge.TestSupport;

namespace Edge.Gateway.Tests.Support;

/// <summary>The real gateway executable as a child process, with its config file and state directory under the test root.</summary>
internal sealed partial class GatewayProcess : IDisposable
{
    private GatewayProcess(ChildProcess process, string directory, string configPath, JsonObject config)
    {
        Process = process;
        Directory = directory;
        ConfigPath = configPath;
        Configuration = config;
    }

    public ChildProcess Process { get; private set; }

    public string Directory { get; }

    public string ConfigPath { get; }

    public JsonObject Configuration { get; }

    public string StateDirectory => Path.Combine(Directory, "state");

    public string OutboxPath => Path.Combine(StateDirectory, "outbox.db");

    public string Output => Process.Output;

    public static string GatewayDll => Path.Combine(AppContext.BaseDirectory, "Edge.Gateway.dll");

    /// <summary>A gateway config: id, site, area and broker filled in, state under a fresh directory; devices added by the caller.</summary>
    public static JsonObject Config(string gatewayId, MosquittoBroker? broker, params JsonObject[] devices)
    {
        var gw = new JsonObject
        {
            ["Id"] = gatewayId,
            ["Site"] = "test-site",
            ["Area"] = "test-area",
            ["Mqtt"] = new JsonObject
            {
                ["Host"] = "127.0.0.1",
                ["Port"] = broker?.Port ?? 1,
                ["KeepAlive"] = "00:00:05",
                ["ReconnectMinDelay"] = "00:00:00.200",
                ["ReconnectMaxDelay"] = "00:00:02",
                ["OperationTimeout"] = "00:00:10",
            },
            ["Outbox"] = new JsonObject { ["ResendTimeout"] = "00:00:05", ["ReplayItemsPerSecond"] = 20000 },
            ["Publishing"] = new JsonObject { ["ProgressLogInterval"] = "00:00:00.200", ["HealthCheckInterval"] = "00:00:00.200" },
            ["Devices"] = new JsonArray([.. devices]),
        };
        return new JsonObject { ["Gateway"] = gw };
    }

    public static GatewayProcess Start(JsonObject config, IDictionary<string, string>? environment = null, string? directory = null)
    {
        directory ??= TestDirectories.Create("gateway");
        var gw = config["Gateway"]!.AsObject();
        gw[nameof(StateDirectory)] = Path.Combine(directory, "state");
        var configPath = Path.Combine(directory, "gateway.json");
        File.WriteAllText(configPath, config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
        var process = Launch(configPath, environment);
        return new GatewayProcess(process, directory, configPath, config);
    }

    /// <summary>Starts the same gateway again (same config and state), e.g. after a kill.</summary>
    public void Restart(IDictionary<string, string>? environment = null)
    {
        Process.Dispose();
        Process = Launch(ConfigPath, environment);
    }

    public Task WaitForOutputAsync(string text, TimeSpan timeout) => Process.WaitForOutputAsync(text, timeout);

    /// <summary>The highest seq the gateway reported as accepted (progress lines and the stop line).</summary>
    public long HighestReportedSeq()
    {
        long max = 0;
        foreach (Match m in AcceptedThrough().Matches(Process.Output))
        {
            max = Math.Max(max, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        foreach (Match m in ClosedAt().Matches(Process.Output))
        {
            max = Math.Max(max, long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture));
        }

        return max;
    }

    public void Dispose() => Process.Dispose();

    private static ChildProcess Launch(string configPath, IDictionary<string, string>? environment)
    {
        var env = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
            ["Logging__LogLevel__Default"] = "Information",
        };
        if (environment is not null)
        {
            foreach (var (k, v) in environment)
            {
                env[k] = v;
            }
        }

        return ChildProcess.Start("dotnet", [GatewayDll, "--config", configPath], name: "gateway", environment: env);
    }

    [GeneratedRegex(@"accepted through seq (\d+)")]
    private static partial Regex AcceptedThrough();

    [GeneratedRegex(@"outbox closed at seq (\d+)")]
    private static partial Regex ClosedAt();
}
