using System.Net.Http.Json;
using System.Text.Json;
using Edge.Contracts;
using Edge.Hub.Tests.Ingest;
using Edge.Hub.Tests.Support;
using Edge.Mqtt;
using Edge.TestSupport;
using Xunit;

namespace Edge.Hub.Tests.Roster;

/// <summary>Presence from births, Last Wills and silence, through real Mosquitto, as the API and metrics show it.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class RosterTests
{
    private static readonly TimeSpan s_wait = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_last_will_marks_the_gateway_offline_and_a_newer_birth_brings_it_back()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "roster-will");
        await using var hub = await HubHost.StartAsync(settings);
        var id = TestDirectories.UniqueToken("gw");
        using var http = hub.Client(HubSettings.ViewerKey);

        await using (var gw = await TestGateway.StartAsync(broker, settings.Site, id, will: TestGateway.Will(settings.Site, "area-1", id, session: 1)))
        {
            await gw.PublishBirthAsync(1, "scale-1", "line-1");
            await WaitPresenceAsync(http, id, "online");

            // Ask the broker to publish the Will, as it does when a gateway's connection dies.
            await gw.Client.DisconnectAsync(MqttDisconnectReason.WithWillMessage);
            var offline = await WaitPresenceAsync(http, id, "offline");
            Assert.False(offline.GetProperty("deathGraceful").GetBoolean());
            Assert.Equal(1, offline.GetProperty("deathSession").GetInt64());
            Assert.All(offline.GetProperty("devices").EnumerateArray(), d => Assert.Equal("stale", d.GetProperty("presence").GetString()));
            var metrics = await http.GetStringAsync("metrics");
            Assert.Equal(1, HubHttp.ParseMetric(metrics, "edge_hub_gateways", "presence=\"offline\""));
            Assert.Equal(0, HubHttp.ParseMetric(metrics, "edge_hub_gateway_up", $"gateway=\"{id}\""));
        }

        await using var again = await TestGateway.StartAsync(broker, settings.Site, id, will: TestGateway.Will(settings.Site, "area-1", id, session: 2));
        await again.PublishBirthAsync(2, "scale-1", "line-1");
        var online = await WaitPresenceAsync(http, id, "online");
        Assert.Equal(2, online.GetProperty("birthSession").GetInt64());
        Assert.Equal(1, HubHttp.ParseMetric(await http.GetStringAsync("metrics"), "edge_hub_gateway_up", $"gateway=\"{id}\""));
    }

    [Fact]
    public async Task A_late_will_of_an_older_session_does_not_mark_a_reconnected_gateway_offline()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "roster-late-will");
        await using var hub = await HubHost.StartAsync(settings);
        using var http = hub.Client(HubSettings.ViewerKey);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        await gw.PublishBirthAsync(7, "scale-1");
        await WaitPresenceAsync(http, gw.GatewayId, "online");

        var will = TestGateway.Will(settings.Site, "area-1", gw.GatewayId, session: 6);
        await gw.Client.PublishAsync(will.Topic, will.Payload, MqttQos.AtLeastOnce, retain: true);
        await gw.PublishHealthAsync("scale-1", DeviceState.Ok);
        await ExactlyOnceTests.WaitUntilAsync(async () => (await Gateway(http, gw.GatewayId)).TryGetProperty("deathSession", out _), s_wait);

        Assert.Equal("online", (await Gateway(http, gw.GatewayId)).GetProperty("presence").GetString());
    }

    [Fact]
    public async Task A_silent_gateway_becomes_stale_and_health_reports_show_per_device()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = (await HubSettings.CreateAsync(broker, influx, "roster-stale")).With("Roster:StaleAfter", "00:00:02");
        await using var hub = await HubHost.StartAsync(settings);
        using var http = hub.Client(HubSettings.ViewerKey);
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        await gw.PublishBirthAsync(1, "scale-1", "press-1");
        await gw.PublishHealthAsync("press-1", DeviceState.Down, "no answer from PLC");
        var online = await WaitPresenceAsync(http, gw.GatewayId, "online");
        await ExactlyOnceTests.WaitUntilAsync(async () => Device(await Gateway(http, gw.GatewayId), "press-1").GetProperty("presence").GetString() == "down", s_wait);
        var press = Device(await Gateway(http, gw.GatewayId), "press-1");
        Assert.Equal("no answer from PLC", press.GetProperty("message").GetString());
        Assert.Equal("ok", Device(online, "scale-1").GetProperty("presence").GetString());

        var stale = await WaitPresenceAsync(http, gw.GatewayId, "stale");
        Assert.All(stale.GetProperty("devices").EnumerateArray(), d => Assert.Equal("stale", d.GetProperty("presence").GetString()));
        Assert.Equal(1, HubHttp.ParseMetric(await http.GetStringAsync("metrics"), "edge_hub_gateways", "presence=\"stale\""));

        await gw.PublishHealthAsync("scale-1", DeviceState.Ok);
        await WaitPresenceAsync(http, gw.GatewayId, "online");
    }

    [Fact]
    public async Task A_restarted_hub_learns_the_roster_from_retained_births_and_its_store()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "roster-retained");
        await using var gw = await TestGateway.StartAsync(broker, settings.Site);
        await gw.PublishBirthAsync(3, "scale-1");
        await gw.PublishHealthAsync("scale-1", DeviceState.Degraded, "drift");

        // A hub that was not running when the birth was published: it gets the retained state on subscribing.
        await using var hub = await HubHost.StartAsync(settings);
        using var http = hub.Client(HubSettings.ViewerKey);
        await ExactlyOnceTests.WaitUntilAsync(async () => (await http.GetAsync($"api/v1/gateways/{gw.GatewayId}")).IsSuccessStatusCode, s_wait);
        await ExactlyOnceTests.WaitUntilAsync(async () => Device(await Gateway(http, gw.GatewayId), "scale-1").TryGetProperty("reportedState", out var s) && s.GetString() == "degraded", s_wait);
        var g = await Gateway(http, gw.GatewayId);
        Assert.Equal(3, g.GetProperty("birthSession").GetInt64());

        // Retained messages are old news, not signs of life.
        Assert.False(g.TryGetProperty("lastSeenAt", out _), g.ToString());
    }

    private static async Task<JsonElement> Gateway(HttpClient http, string id) => await http.GetFromJsonAsync<JsonElement>($"api/v1/gateways/{id}");

    private static JsonElement Device(JsonElement gateway, string id) =>
        gateway.GetProperty("devices").EnumerateArray().Single(d => d.GetProperty("id").GetString() == id);

    private static async Task<JsonElement> WaitPresenceAsync(HttpClient http, string id, string presence)
    {
        var deadline = DateTime.UtcNow + s_wait;
        JsonElement last = default;
        while (DateTime.UtcNow < deadline)
        {
            using var response = await http.GetAsync($"api/v1/gateways/{id}");
            if (response.IsSuccessStatusCode)
            {
                last = await response.Content.ReadFromJsonAsync<JsonElement>();
                if (last.GetProperty("presence").GetString() == presence)
                {
                    return last;
                }
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"{id} did not become {presence}: {last}");
    }
}
