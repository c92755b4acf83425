using System.Globalization;
using Edge.TestSupport;

namespace Edge.Hub.Tests.Support;

/// <summary>Everything a test hub needs, rendered as command-line configuration.</summary>
internal sealed record HubSettings
{
    public const string AdminKey = "admin-key-0123456789abcdef";
    public const string ViewerKey = "viewer-key-0123456789abcdef";
    public const string OperatorKey = "operator-key-0123456789abcdef";
    public const string PlannerKey = "planner-key-0123456789abcdef";

    public required string MqttHost { get; init; }

    public required int MqttPort { get; init; }

    public required Uri InfluxUrl { get; init; }

    public required string Database { get; init; }

    public required string StatePath { get; init; }

    /// <summary>The test's own site: the hub subscribes to it only, so tests sharing a broker do not see each other.</summary>
    public required string Site { get; init; }

    public string ClientId { get; init; } = TestDirectories.UniqueToken("hub");

    public string SharedGroup { get; init; } = TestDirectories.UniqueToken("grp");

    public Dictionary<string, string> Extra { get; init; } = [];

    public static async Task<HubSettings> CreateAsync(MosquittoBroker broker, InfluxServer influx, string purpose)
    {
        var dir = TestDirectories.Create(purpose);
        return new HubSettings
        {
            MqttHost = broker.Host,
            MqttPort = broker.Port,
            InfluxUrl = influx.BaseUri,
            Database = await influx.CreateDatabaseAsync("hub"),
            StatePath = Path.Combine(dir, "state.db"),
            Site = TestDirectories.UniqueToken("site"),
        };
    }

    public HubSettings With(string key, string value)
    {
        var extra = new Dictionary<string, string>(Extra) { [key] = value };
        return this with { Extra = extra };
    }

    public IReadOnlyList<string> ToArgs(int httpPort)
    {
        var values = new Dictionary<string, string>
        {
            ["Urls"] = $"http://127.0.0.1:{httpPort.ToString(CultureInfo.InvariantCulture)}",
            ["Mqtt:Host"] = MqttHost,
            ["Mqtt:Port"] = MqttPort.ToString(CultureInfo.InvariantCulture),
            ["Mqtt:ClientId"] = ClientId,
            ["Mqtt:KeepAlive"] = "00:00:10",
            ["Mqtt:Reconnect:InitialDelay"] = "00:00:00.200",
            ["Mqtt:Reconnect:MaxDelay"] = "00:00:02",
            ["Ingest:SharedGroup"] = SharedGroup,
            ["Ingest:Site"] = Site,
            ["Influx:Url"] = InfluxUrl.ToString(),
            ["Influx:Database"] = Database,
            ["Influx:BatchInterval"] = "00:00:00.050",
            ["Influx:InitialRetryDelay"] = "00:00:00.200",
            ["Influx:MaxRetryDelay"] = "00:00:02",
            ["State:Path"] = StatePath,
            ["DeadLetters:Topic"] = $"edge/v1/_hub/{Site}",
            ["Api:Keys:0:Name"] = "admin",
            ["Api:Keys:0:Key"] = AdminKey,
            ["Api:Keys:0:Role"] = "admin",
            ["Api:Keys:1:Name"] = "wall-screen",
            ["Api:Keys:1:Key"] = ViewerKey,
            ["Api:Keys:1:Role"] = "viewer",
            ["Api:Keys:2:Name"] = "maintenance",
            ["Api:Keys:2:Key"] = OperatorKey,
            ["Api:Keys:2:Role"] = "operator",
            ["Api:Keys:3:Name"] = "planning",
            ["Api:Keys:3:Key"] = PlannerKey,
            ["Api:Keys:3:Role"] = "planner",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Edge"] = "Information",
            ["Logging:Console:FormatterName"] = "simple",
            ["Logging:Console:FormatterOptions:SingleLine"] = "true",
        };
        foreach (var (k, v) in Extra)
        {
            values[k] = v;
        }

        return [.. values.Select(kv => $"--{kv.Key}={kv.Value}")];
    }
}
