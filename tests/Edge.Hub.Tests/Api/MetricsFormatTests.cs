using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Api;

/// <summary>/metrics in the Prometheus text format, which a scraper refuses when one family's samples are split.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class MetricsFormatTests
{
    [Fact]
    public async Task With_two_gateways_every_family_is_one_group_right_after_its_help_and_type()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "metrics-format");
        await using var hub = await HubHost.StartAsync(settings);
        await using var gw1 = await TestGateway.StartAsync(broker, settings.Site);
        await using var gw2 = await TestGateway.StartAsync(broker, settings.Site);
        await gw1.PublishBatchesAsync(2);
        await gw2.PublishBatchesAsync(2);
        await gw1.WaitAllAckedAsync(TimeSpan.FromSeconds(60));
        await gw2.WaitAllAckedAsync(TimeSpan.FromSeconds(60));

        var text = await hub.Client().GetStringAsync("metrics");

        var finished = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var family = line.StartsWith('#') ? line.Split(' ')[2] : BaseName(line.Split('{', ' ')[0]);
            if (family != current)
            {
                Assert.True(current is null || finished.Add(current), $"family {current} appears twice");
                Assert.DoesNotContain(family, finished);
                current = family;
            }
        }

        Assert.Equal(2, text.Split('\n').Count(l => l.StartsWith("edge_hub_gateway_stored_through{", StringComparison.Ordinal)));
        Assert.Equal(20, HubHttp.ParseMetric(text, "edge_hub_gateway_stored_through", $"gateway=\"{gw1.GatewayId}\""));
    }

    // Summary samples (_sum, _count) belong to their family.
    private static string BaseName(string sample) =>
        sample.EndsWith("_sum", StringComparison.Ordinal) ? sample[..^4] :
        sample.EndsWith("_count", StringComparison.Ordinal) ? sample[..^6] : sample;
}
