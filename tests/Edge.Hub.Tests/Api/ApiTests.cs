using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Edge.Hub.State;
using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Edge.Hub.Tests.Api;

/// <summary>Roles, keys and RFC 7807 answers of the HTTP API, against a hub running in-process.</summary>
[Trait(Traits.Category, Traits.Integration)]
public sealed class ApiTests : IAsyncLifetime
{
    private HubHost _hub = null!;

    public async Task InitializeAsync()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "api");
        _hub = await HubHost.StartAsync(settings.With("Roster:Gateways:0:Id", "gw-expected").With("Roster:Gateways:0:Site", settings.Site).With("Roster:Gateways:0:Area", "hall").With("Roster:Gateways:0:Devices:0", "scale-9"));
    }

    public async Task DisposeAsync() => await _hub.DisposeAsync();

    [Theory]
    [InlineData("api/v1/gateways")]
    [InlineData("api/v1/readings/latest")]
    [InlineData("api/v1/deadletters")]
    [InlineData("api/v1/whoami")]
    public async Task Without_a_key_every_api_endpoint_answers_401_problem_details(string path)
    {
        using var http = _hub.Client(apiKey: null);
        using var response = await http.GetAsync(path);
        await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Equal("ApiKey", response.Headers.WwwAuthenticate.Single().Scheme);
    }

    [Fact]
    public async Task A_wrong_key_is_refused_with_401()
    {
        using var http = _hub.Client("not-a-key-of-this-hub-at-all");
        using var response = await http.GetAsync("api/v1/gateways");
        var problem = await AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains("not valid", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(HubSettings.ViewerKey, "api/v1/gateways", HttpStatusCode.OK)]
    [InlineData(HubSettings.ViewerKey, "api/v1/readings/latest", HttpStatusCode.OK)]
    [InlineData(HubSettings.ViewerKey, "api/v1/deadletters", HttpStatusCode.Forbidden)]
    [InlineData(HubSettings.ViewerKey, "api/v1/counters", HttpStatusCode.Forbidden)]
    [InlineData(HubSettings.ViewerKey, "api/v1/scans", HttpStatusCode.Forbidden)]
    [InlineData(HubSettings.OperatorKey, "api/v1/deadletters", HttpStatusCode.OK)]
    [InlineData(HubSettings.OperatorKey, "api/v1/counters", HttpStatusCode.Forbidden)]
    [InlineData(HubSettings.PlannerKey, "api/v1/counters", HttpStatusCode.OK)]
    [InlineData(HubSettings.PlannerKey, "api/v1/scans", HttpStatusCode.OK)]
    [InlineData(HubSettings.PlannerKey, "api/v1/deadletters", HttpStatusCode.Forbidden)]
    [InlineData(HubSettings.AdminKey, "api/v1/deadletters", HttpStatusCode.OK)]
    [InlineData(HubSettings.AdminKey, "api/v1/counters", HttpStatusCode.OK)]
    public async Task Each_role_reaches_exactly_its_endpoints(string key, string path, HttpStatusCode expected)
    {
        using var http = _hub.Client(key);
        using var response = await http.GetAsync(path);
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        }
        else
        {
            var problem = await AssertProblemAsync(response, expected);
            Assert.Contains("may not", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Only_an_admin_may_purge_dead_letters()
    {
        using (var op = _hub.Client(HubSettings.OperatorKey))
        using (var refused = await op.DeleteAsync("api/v1/deadletters"))
        {
            await AssertProblemAsync(refused, HttpStatusCode.Forbidden);
        }

        using var admin = _hub.Client(HubSettings.AdminKey);
        using var ok = await admin.DeleteAsync("api/v1/deadletters");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        Assert.Equal(0, (await ok.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("deleted").GetInt64());
    }

    [Fact]
    public async Task A_bare_purge_keeps_the_letters_of_readings_influx_refused_until_they_are_named_by_kind()
    {
        var store = _hub.Get<IStateStore>();
        await store.AddAsync([new Edge.Hub.Influx.DeadLetter("weight,device=s kg=\"x\" 1", "HTTP 400: field type conflict", 400, DateTimeOffset.UtcNow, "gw-1 seq 1-1")], CancellationToken.None);
        store.AddDeadLetters([new DeadLetterRecord(DateTimeOffset.UtcNow, "gw-x", "edge/v1/s/a/gw-x/readings", "MalformedJson: x", "{{"u8.ToArray(), 2, null)]);
        using var admin = _hub.Client(HubSettings.AdminKey);

        using (var bare = await admin.DeleteAsync("api/v1/deadletters"))
        {
            var answer = await bare.Content.ReadFromJsonAsync<JsonElement>();
            Assert.Equal(1, answer.GetProperty("deleted").GetInt64());
            Assert.Equal("mqtt", answer.GetProperty("kind").GetString());
            Assert.Equal(1, answer.GetProperty("remaining").GetInt64());
        }

        var page = await admin.GetFromJsonAsync<JsonElement>("api/v1/deadletters");
        var left = Assert.Single(page.GetProperty("items").EnumerateArray());
        Assert.Equal("influx", left.GetProperty("kind").GetString());
        Assert.Equal("gw-1 seq 1-1", left.GetProperty("origin").GetString());

        using (var unknown = await admin.DeleteAsync("api/v1/deadletters?kind=all"))
        {
            var problem = await AssertProblemAsync(unknown, HttpStatusCode.BadRequest);
            Assert.Contains("influx", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }

        using var named = await admin.DeleteAsync("api/v1/deadletters?kind=influx");
        var result = await named.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal(1, result.GetProperty("deleted").GetInt64());
        Assert.Equal(0, result.GetProperty("remaining").GetInt64());
    }

    [Fact]
    public async Task The_authorization_header_form_is_accepted_and_whoami_names_key_and_role()
    {
        using var http = _hub.Client(apiKey: null);
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", HubSettings.PlannerKey);
        var me = await http.GetFromJsonAsync<JsonElement>("api/v1/whoami");
        Assert.Equal("planning", me.GetProperty("name").GetString());
        Assert.Equal("planner", me.GetProperty("role").GetString());
    }

    [Fact]
    public async Task An_unknown_gateway_is_404_problem_details()
    {
        using var http = _hub.Client(HubSettings.ViewerKey);
        using var response = await http.GetAsync("api/v1/gateways/no-such-gw");
        var problem = await AssertProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Contains("no-such-gw", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_path_is_404_problem_details()
    {
        using var http = _hub.Client(HubSettings.ViewerKey);
        using var response = await http.GetAsync("api/v1/nothing-here");
        await AssertProblemAsync(response, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("api/v1/deadletters?limit=0")]
    [InlineData("api/v1/deadletters?limit=5000")]
    [InlineData("api/v1/deadletters?limit=abc")]
    [InlineData("api/v1/deadletters?before=yesterday")]
    public async Task Bad_parameters_are_400_problem_details(string path)
    {
        using var http = _hub.Client(HubSettings.AdminKey);
        using var response = await http.GetAsync(path);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task The_expected_roster_is_listed_before_any_gateway_speaks()
    {
        using var http = _hub.Client(HubSettings.ViewerKey);
        var gw = await http.GetFromJsonAsync<JsonElement>("api/v1/gateways/gw-expected");
        Assert.Equal("unknown", gw.GetProperty("presence").GetString());
        Assert.True(gw.GetProperty("expected").GetBoolean());
        var device = Assert.Single(gw.GetProperty("devices").EnumerateArray());
        Assert.Equal("scale-9", device.GetProperty("id").GetString());
        Assert.Equal("unknown", device.GetProperty("presence").GetString());
    }

    [Fact]
    public async Task Health_readiness_and_loopback_metrics_need_no_key()
    {
        using var http = _hub.Client(apiKey: null);
        Assert.Equal("alive", (await http.GetFromJsonAsync<JsonElement>("healthz")).GetProperty("status").GetString());
        var ready = await http.GetFromJsonAsync<JsonElement>("readyz");
        Assert.True(ready.GetProperty("ready").GetBoolean());
        Assert.True(ready.GetProperty("mqtt").GetProperty("ok").GetBoolean());
        Assert.True(ready.GetProperty("influx").GetProperty("ok").GetBoolean());
        Assert.True(ready.GetProperty("stateStore").GetProperty("ok").GetBoolean());
        using var metrics = await http.GetAsync("metrics");
        Assert.Equal(HttpStatusCode.OK, metrics.StatusCode);
        Assert.StartsWith("text/plain", metrics.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        var text = await metrics.Content.ReadAsStringAsync();
        Assert.Contains("# TYPE edge_hub_readings_stored_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, HubHttp.ParseMetric(text, "edge_hub_gateways", "presence=\"unknown\""));
    }

    internal static async Task<JsonElement> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        return problem;
    }
}

/// <summary>Answers the API gives when the hub itself fails, or is configured more strictly.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class ApiFailureTests
{
    [Fact]
    public async Task An_unhandled_exception_is_a_500_problem_without_internals()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "api-500");
        await using var hub = await HubHost.StartAsync(settings, services => services.AddSingleton<IStateStore>(sp => new FailingReads(ActivatorUtilities.CreateInstance<SqliteStateStore>(sp))));
        using var http = hub.Client(HubSettings.ViewerKey);
        using var response = await http.GetAsync("api/v1/readings/latest");
        var problem = await ApiTests.AssertProblemAsync(response, HttpStatusCode.InternalServerError);
        Assert.DoesNotContain("disk on fire", problem.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_can_require_a_key_even_on_loopback()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = (await HubSettings.CreateAsync(broker, influx, "api-metrics")).With("Api:MetricsAccess", "Viewer");
        await using var hub = await HubHost.StartAsync(settings);
        using (var anonymous = hub.Client(apiKey: null))
        using (var refused = await anonymous.GetAsync("metrics"))
        {
            await ApiTests.AssertProblemAsync(refused, HttpStatusCode.Unauthorized);
        }

        using var viewer = hub.Client(HubSettings.ViewerKey);
        Assert.Contains("edge_hub_messages_total", await viewer.GetStringAsync("metrics"), StringComparison.Ordinal);
    }

    /// <summary>A real store whose latest-value read fails, as a broken disk would.</summary>
    private sealed class FailingReads(SqliteStateStore inner) : DelegatingStateStore(inner)
    {
        public override IReadOnlyList<LatestReading> GetLatest(string? gatewayId, string? device) => throw new StateStoreException("disk on fire");
    }
}
