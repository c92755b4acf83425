using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using Edge.Hub.Influx;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Edge.Hub.Tests.Influx;

/// <summary>One write request as the fake saw it.</summary>
internal sealed record FakeWrite(int Number, TimeSpan At, IReadOnlyList<string> Lines, string? ContentEncoding, string? Authorization, string Query);

/// <summary>What the fake answers.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Error">The message for influxd's JSON error body, if any.</param>
/// <param name="RetryAfter">A Retry-After header value, if any.</param>
/// <param name="Stored">For an error answer: the lines the fake pretends it stored anyway (a partial write).</param>
internal sealed record FakeAnswer(int Status, string? Error = null, string? RetryAfter = null, IReadOnlyList<string>? Stored = null)
{
    public static FakeAnswer NoContent { get; } = new(204);
}

/// <summary>
/// An in-process stand-in for influxd's /write on a real loopback socket, used ONLY for answers a real influxd
/// cannot be made to give on demand (413, 429 with Retry-After, 503, 401 without auth setup, a stalled server).
/// It decompresses gzip bodies, records every request, and keeps the lines it "stored".
/// </summary>
internal sealed class FakeInflux : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly List<FakeWrite> _requests = [];
    private readonly List<string> _stored = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private Func<FakeWrite, Task<FakeAnswer>> _respond = _ => Task.FromResult(FakeAnswer.NoContent);

    private FakeInflux(WebApplication app)
    {
        _app = app;
    }

    public Uri BaseUri { get; private set; } = null!;

    public TimeSpan Now => _clock.Elapsed;

    public IReadOnlyList<FakeWrite> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<string> Stored
    {
        get
        {
            lock (_gate)
            {
                return [.. _stored];
            }
        }
    }

    public static async Task<FakeInflux> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var fake = new FakeInflux(app);
        app.MapPost("/write", fake.HandleAsync);
        await app.StartAsync();
        fake.BaseUri = new Uri(app.Urls.First() + "/");
        return fake;
    }

    public void Respond(Func<FakeWrite, FakeAnswer> respond) => _respond = w => Task.FromResult(respond(w));

    public void RespondAsync(Func<FakeWrite, Task<FakeAnswer>> respond) => _respond = respond;

    public async Task WaitForRequestsAsync(int count, TimeSpan timeout)
    {
        var deadline = Stopwatch.StartNew();
        while (Requests.Count < count)
        {
            if (deadline.Elapsed > timeout)
            {
                throw new TimeoutException($"expected {count} requests within {timeout}, got {Requests.Count}");
            }

            await Task.Delay(20);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        var encoding = context.Request.Headers.ContentEncoding.ToString();
        Stream body = context.Request.Body;
        if (encoding.Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            body = new GZipStream(body, CompressionMode.Decompress);
        }

        string text;
        using (var reader = new StreamReader(body, Encoding.UTF8))
        {
            text = await reader.ReadToEndAsync();
        }

        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        FakeWrite write;
        lock (_gate)
        {
            write = new FakeWrite(_requests.Count + 1, _clock.Elapsed, lines, encoding.Length == 0 ? null : encoding,
                context.Request.Headers.Authorization.ToString() is { Length: > 0 } a ? a : null, context.Request.QueryString.Value ?? string.Empty);
            _requests.Add(write);
        }

        var answer = await _respond(write);
        lock (_gate)
        {
            if (answer.Status is >= 200 and < 300)
            {
                _stored.AddRange(lines);
            }
            else if (answer.Stored is not null)
            {
                _stored.AddRange(answer.Stored);
            }
        }

        context.Response.StatusCode = answer.Status;
        if (answer.RetryAfter is not null)
        {
            context.Response.Headers.RetryAfter = answer.RetryAfter;
        }

        if (answer.Error is not null)
        {
            context.Response.ContentType = "application/json";
            context.Response.Headers["X-Influxdb-Error"] = answer.Error;
            await context.Response.WriteAsync(System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string> { ["error"] = answer.Error }));
        }
    }
}

/// <summary>Counts the writer's requests on the client side (works against the real influxd too).</summary>
internal sealed class CountingHandler : DelegatingHandler
{
    private readonly Lock _gate = new();
    private readonly List<(TimeSpan At, string? ContentEncoding, bool Answered)> _requests = [];
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    public CountingHandler()
        : base(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(1) })
    {
    }

    public TimeSpan Now => _clock.Elapsed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _requests.Count;
            }
        }
    }

    public IReadOnlyList<(TimeSpan At, string? ContentEncoding, bool Answered)> Requests
    {
        get
        {
            lock (_gate)
            {
                return [.. _requests];
            }
        }
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var at = _clock.Elapsed;
        var encoding = request.Content?.Headers.ContentEncoding.FirstOrDefault();
        try
        {
            var response = await base.SendAsync(request, cancellationToken);
            Record(at, encoding, answered: true);
            return response;
        }
        catch
        {
            Record(at, encoding, answered: false);
            throw;
        }
    }

    private void Record(TimeSpan at, string? encoding, bool answered)
    {
        lock (_gate)
        {
            _requests.Add((at, encoding, answered));
        }
    }
}

/// <summary>A started writer with its client, counter and dead-letter sink; disposing stops it at once.</summary>
internal sealed class WriterHarness : IAsyncDisposable
{
    private readonly HttpClient _http;

    private WriterHarness(InfluxWriter writer, HttpClient http, CountingHandler counter, InMemoryDeadLetterSink sink)
    {
        Writer = writer;
        _http = http;
        Counter = counter;
        Sink = sink;
    }

    public InfluxWriter Writer { get; }

    public CountingHandler Counter { get; }

    public InMemoryDeadLetterSink Sink { get; }

    public static async Task<WriterHarness> StartAsync(Uri url, string database, Action<InfluxWriterOptions>? configure = null, IDeadLetterSink? sink = null)
    {
        var options = new InfluxWriterOptions
        {
            Url = url,
            Database = database,
            BatchInterval = TimeSpan.FromMilliseconds(100),
            InitialRetryDelay = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
            HeldRetryInterval = TimeSpan.FromMilliseconds(300),
            RequestTimeout = TimeSpan.FromSeconds(10),
        };
        configure?.Invoke(options);
        var counter = new CountingHandler();
        var http = new HttpClient(counter) { Timeout = Timeout.InfiniteTimeSpan };
        var memory = new InMemoryDeadLetterSink();
        var writer = new InfluxWriter(http, options, sink ?? memory);
        await writer.StartAsync(CancellationToken.None);
        return new WriterHarness(writer, http, counter, memory);
    }

    public async ValueTask DisposeAsync()
    {
        await Writer.DisposeAsync();
        _http.Dispose();
    }
}

internal static class Points
{
    public static readonly DateTimeOffset Start = new(2026, 3, 1, 8, 0, 0, TimeSpan.Zero);

    /// <summary>A weight point like the schema's, with a distinct timestamp per seq (1 ms + 1 tick apart, to keep sub-ms digits).</summary>
    public static InfluxPoint Weight(long seq, string device = "scale-1", double kg = 1000.5, string measurement = "weight") => new()
    {
        Measurement = measurement,
        Tags = new Dictionary<string, string> { ["site"] = "s1", ["area"] = "weighbridge", ["gateway"] = "gw-1", ["device"] = device },
        Fields = new Dictionary<string, InfluxFieldValue>
        {
            ["kg"] = InfluxFieldValue.Float(kg + seq),
            ["stable"] = InfluxFieldValue.Boolean(seq % 2 == 0),
            ["state"] = InfluxFieldValue.String("ok"),
            ["seq"] = InfluxFieldValue.Integer(seq),
        },
        Timestamp = Start.AddTicks((seq * TimeSpan.TicksPerMillisecond) + seq),
    };

    public static InfluxPoint[] Weights(int count, long firstSeq = 1, string device = "scale-1") =>
        [.. Enumerable.Range(0, count).Select(i => Weight(firstSeq + i, device))];
}
