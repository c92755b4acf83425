using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using Edge.TestSupport;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Edge.Hub.Tests.Support;

/// <summary>A hub running in the test process (HubApp.Build on a free port), for tests that look inside.</summary>
internal sealed class HubHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private bool _stopped;

    private HubHost(WebApplication app, int port, HubSettings settings)
    {
        _app = app;
        Port = port;
        Settings = settings;
        BaseUri = new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
    }

    public int Port { get; }

    public HubSettings Settings { get; }

    public Uri BaseUri { get; }

    public IServiceProvider Services => _app.Services;

    public static async Task<HubHost> StartAsync(HubSettings settings, Action<IServiceCollection>? configure = null, bool waitReady = true)
    {
        var port = Ports.GetFreeTcpPort();
        var app = HubApp.Build([.. settings.ToArgs(port)], configure);
        await app.StartAsync();
        var host = new HubHost(app, port, settings);
        if (waitReady)
        {
            await HubHttp.WaitReadyAsync(host.BaseUri, TimeSpan.FromSeconds(30));
        }

        return host;
    }

    public T Get<T>()
        where T : notnull => _app.Services.GetRequiredService<T>();

    public HttpClient Client(string? apiKey = HubSettings.AdminKey) => HubHttp.Client(BaseUri, apiKey);

    public async Task StopAsync()
    {
        if (_stopped)
        {
            return;
        }

        _stopped = true;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _app.StopAsync(cts.Token);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>HTTP helpers shared by in-process and child-process hubs.</summary>
internal static class HubHttp
{
    public static HttpClient Client(Uri baseUri, string? apiKey)
    {
        var http = new HttpClient { BaseAddress = baseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            http.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        }

        http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        return http;
    }

    public static async Task WaitReadyAsync(Uri baseUri, TimeSpan timeout, Func<string>? diagnostics = null, Func<bool>? gaveUp = null)
    {
        using var http = Client(baseUri, null);
        var deadline = DateTime.UtcNow + timeout;
        var last = string.Empty;
        while (DateTime.UtcNow < deadline)
        {
            if (gaveUp?.Invoke() == true)
            {
                break;
            }

            try
            {
                using var response = await http.GetAsync("readyz");
                last = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException e)
            {
                last = e.Message;
            }

            await Task.Delay(100);
        }

        throw new TimeoutException($"The hub at {baseUri} was not ready within {timeout}: {last}\n{diagnostics?.Invoke()}");
    }

    /// <summary>Reads one sample of /metrics (summing over label sets when <paramref name="labels"/> is null).</summary>
    public static async Task<double> MetricAsync(Uri baseUri, string name, string? labels = null)
    {
        using var http = Client(baseUri, HubSettings.AdminKey);
        var text = await http.GetStringAsync("metrics");
        return ParseMetric(text, name, labels);
    }

    public static double ParseMetric(string exposition, string name, string? labels = null)
    {
        double sum = 0;
        var found = false;
        foreach (var line in exposition.Split('\n'))
        {
            if (line.StartsWith('#') || !line.StartsWith(name, StringComparison.Ordinal))
            {
                continue;
            }

            var rest = line[name.Length..];
            string? lineLabels = null;
            if (rest.StartsWith('{'))
            {
                var end = rest.IndexOf('}', StringComparison.Ordinal);
                lineLabels = rest[1..end];
                rest = rest[(end + 1)..];
            }

            if (!rest.StartsWith(' '))
            {
                continue;
            }

            if (labels is not null && (lineLabels is null || !lineLabels.Contains(labels, StringComparison.Ordinal)))
            {
                continue;
            }

            sum += double.Parse(rest.Trim(), CultureInfo.InvariantCulture);
            found = true;
        }

        return found ? sum : throw new InvalidOperationException($"No sample of {name}{(labels is null ? string.Empty : "{" + labels + "}")} in:\n{exposition}");
    }
}
