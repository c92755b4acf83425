using Edge.Hub.Influx;
using Edge.Hub.State;
using Microsoft.Extensions.Options;

namespace Edge.Hub.Hosting;

/// <summary>The outcome of one readiness check.</summary>
/// <param name="Ok">Whether it passed.</param>
/// <param name="Detail">What was found, for people.</param>
internal sealed record ReadinessCheck(bool Ok, string Detail);

/// <summary>The outcome of <c>/readyz</c>.</summary>
/// <param name="Ready">Whether every check passed.</param>
/// <param name="Mqtt">Broker connected and subscribed.</param>
/// <param name="Influx">InfluxDB answers <c>/ping</c>.</param>
/// <param name="StateStore">The state store is open and answers.</param>
/// <param name="Ingest">Nothing has failed for good (see <see cref="HubFailure"/>).</param>
internal sealed record ReadinessReport(bool Ready, ReadinessCheck Mqtt, ReadinessCheck Influx, ReadinessCheck StateStore, ReadinessCheck Ingest);

/// <summary>
/// Readiness: the hub can take data in and store it. Liveness (<c>/healthz</c>) is separate and only says the process
/// answers, so an orchestrator does not restart a hub that merely waits for its broker.
/// </summary>
internal sealed class Readiness
{
    /// <summary>The name of the <see cref="HttpClient"/> used for the ping.</summary>
    public const string HttpClientName = "Edge.Hub.Readiness";

    private static readonly TimeSpan s_pingTimeout = TimeSpan.FromSeconds(2);
    private readonly HubMqttConnection _mqtt;
    private readonly IStateStore _store;
    private readonly HubFailure _failure;
    private readonly IHttpClientFactory _http;
    private readonly Uri? _pingUri;

    /// <summary>Creates the probe.</summary>
    /// <param name="mqtt">The MQTT connection.</param>
    /// <param name="store">The state store.</param>
    /// <param name="failure">A failure the hub stops for.</param>
    /// <param name="http">Client factory for the ping.</param>
    /// <param name="influx">The <c>Influx</c> section.</param>
    public Readiness(HubMqttConnection mqtt, IStateStore store, HubFailure failure, IHttpClientFactory http, IOptions<InfluxWriterOptions> influx)
    {
        ArgumentNullException.ThrowIfNull(influx);
        _mqtt = mqtt;
        _store = store;
        _failure = failure;
        _http = http;
        if (influx.Value.Url is { IsAbsoluteUri: true } url)
        {
            var b = url.AbsoluteUri.EndsWith('/') ? url : new Uri(url.AbsoluteUri + "/");
            _pingUri = new Uri(b, "ping");
        }
    }

    /// <summary>Runs every check.</summary>
    /// <param name="cancellationToken">The request's token.</param>
    /// <returns>The report.</returns>
    public async Task<ReadinessReport> CheckAsync(CancellationToken cancellationToken)
    {
        var mqtt = _mqtt.IsReady
            ? new ReadinessCheck(true, "connected and subscribed")
            : new ReadinessCheck(false, $"MQTT client is {_mqtt.Client.State}");
        var store = _store.IsOpen && _store.Ping()
            ? new ReadinessCheck(true, $"open, schema {_store.SchemaVersion}")
            : new ReadinessCheck(false, "not open or not answering");
        var ingest = _failure.Reason is { } reason
            ? new ReadinessCheck(false, $"{reason}; stopping, nothing more is acknowledged")
            : new ReadinessCheck(true, "committing and acknowledging");
        var influx = await PingInfluxAsync(cancellationToken);
        return new ReadinessReport(mqtt.Ok && influx.Ok && store.Ok && ingest.Ok, mqtt, influx, store, ingest);
    }

    private async Task<ReadinessCheck> PingInfluxAsync(CancellationToken cancellationToken)
    {
        if (_pingUri is null)
        {
            return new ReadinessCheck(false, "Influx:Url is not set");
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(s_pingTimeout);
        try
        {
            var client = _http.CreateClient(HttpClientName);
            using var response = await client.GetAsync(_pingUri, timeout.Token);
            return response.StatusCode == System.Net.HttpStatusCode.NoContent
                ? new ReadinessCheck(true, $"{_pingUri} answered 204")
                : new ReadinessCheck(false, $"{_pingUri} answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            return new ReadinessCheck(false, $"{_pingUri}: {e.Message}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new ReadinessCheck(false, $"{_pingUri}: no answer within {s_pingTimeout.TotalSeconds:0} s");
        }
    }
}
