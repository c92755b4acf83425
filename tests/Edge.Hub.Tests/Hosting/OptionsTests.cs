using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Microsoft.Extensions.Options;
using Xunit;

namespace Edge.Hub.Tests.Hosting;

/// <summary>Bad configuration stops the hub at start with messages that name the exact keys.</summary>
public class OptionsTests
{
    private static HubSettings Settings() => new()
    {
        MqttHost = "127.0.0.1",
        MqttPort = 1,
        InfluxUrl = new Uri("http://127.0.0.1:1/"),
        Database = "db",
        StatePath = Path.Combine(TestDirectories.Create("options"), "state.db"),
        Site = "site-1",
    };

    [Theory]
    [InlineData("State:Path", "", "State:Path is required")]
    [InlineData("Mqtt:ClientId", "", "Mqtt:ClientId is required")]
    [InlineData("Mqtt:CleanStart", "true", "Mqtt:CleanStart must be false")]
    [InlineData("Mqtt:SessionExpiryInterval", "00:00:10", "Mqtt:SessionExpiryInterval must be at least")]
    [InlineData("Ingest:SharedGroup", "no/slash", "Ingest:SharedGroup must be")]
    [InlineData("Ingest:AckInterval", "00:00:10", "Ingest:AckInterval must be between")]
    [InlineData("Influx:Url", "ftp://x/", "Influx:Url must be")]
    [InlineData("Influx:Database", "", "Influx:Database is required")]
    [InlineData("DeadLetters:Topic", "edge/v1/s/a/gw/readings", "DeadLetters:Topic must lie outside")]
    [InlineData("Api:Keys:1:Key", "short", "Api:Keys:1:Key must be at least 16")]
    [InlineData("Roster:Gateways:0:Area", "alerts", "Roster:Gateways:0:Area must be")]
    public async Task An_invalid_value_stops_the_start_naming_its_key(string key, string value, string expected)
    {
        var settings = Settings()
            .With("Roster:Gateways:0:Id", "gw-1").With("Roster:Gateways:0:Site", "site-1").With("Roster:Gateways:0:Area", "hall")
            .With(key, value);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => HubHost.StartAsync(settings, waitReady: false));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_hub_without_any_api_key_does_not_start()
    {
        var args = Settings().ToArgs(Ports.GetFreeTcpPort()).Where(a => !a.StartsWith("--Api:Keys", StringComparison.Ordinal)).ToArray();
        await using var app = HubApp.Build(args);
        var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Api:Keys must list at least one key", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait(Traits.Category, Traits.Integration)]
    [InlineData("Api:Keys:0:Key", "short", "Api:Keys:0:Key must be at least 16")]
    [InlineData("Mqtt:Port", "not-a-port", "Failed to convert configuration value 'not-a-port' at 'Mqtt:Port' to type 'System.Int32'.")]
    public async Task The_hub_process_prints_a_bad_key_without_a_stack_trace_and_exits_78(string key, string value, string expected)
    {
        using var hub = await HubProcess.StartAsync(Settings().With(key, value), waitReady: false);

        Assert.True(await hub.WaitForExitAsync(TimeSpan.FromSeconds(60)), hub.Output);
        Assert.Equal(HubApp.ExitConfigError, hub.ExitCode);
        Assert.Contains(expected, hub.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", hub.Output, StringComparison.Ordinal);
    }
}
