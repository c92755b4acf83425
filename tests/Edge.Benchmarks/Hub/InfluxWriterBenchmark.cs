using System.Diagnostics;
using System.Net;
using System.Text;
using Edge.Hub.Influx;
using Edge.TestSupport;

namespace Edge.Benchmarks.Hub;

/// <summary>
/// Lines per second through <see cref="InfluxWriter"/> (format, queue, gzip, post, settle) against the plainest
/// client: the same points pre-formatted, posted in batches of 5000 with no compression and no bookkeeping, to
/// the same influxd in the same run.
/// </summary>
internal sealed class InfluxWriterBenchmark : IBenchmark
{
    private const int Points = 50_000;
    private const int GroupSize = 500;
    private const int BatchSize = 5000;
    private const int Rounds = 12;

    public string Group => "influx";

    public async Task<IReadOnlyList<BenchResult>> RunAsync(CancellationToken cancellationToken)
    {
        await using var influx = await InfluxServer.StartAsync();
        var points = MakePoints(Points);
        var lines = points.Select(LineProtocol.Format).ToArray();

        // Warm-up (JIT, connection, influxd's first shards) for both, on their own databases.
        await RawPostAsync(influx, await influx.CreateDatabaseAsync("warm"), lines, cancellationToken);
        await WriterAsync(influx, await influx.CreateDatabaseAsync("warm"), points, cancellationToken);

        // Short rounds, in alternating order, each side's median: the (shared, two-core) machine's load comes in
        // bursts, and both sides should meet the same ones.
        var raw = new List<double>();
        var writer = new List<double>();
        double p99 = 0;
        for (var round = 0; round < Rounds; round++)
        {
            if (round % 2 == 0)
            {
                raw.Add(Points / (await RawPostAsync(influx, await influx.CreateDatabaseAsync("raw"), lines, cancellationToken)).TotalSeconds);
            }

            var (elapsed, latency) = await WriterAsync(influx, await influx.CreateDatabaseAsync("wr"), points, cancellationToken);
            writer.Add(Points / elapsed.TotalSeconds);
            p99 = Math.Max(p99, latency);
            if (round % 2 == 1)
            {
                raw.Add(Points / (await RawPostAsync(influx, await influx.CreateDatabaseAsync("raw"), lines, cancellationToken)).TotalSeconds);
            }
        }

        return
        [
            BenchResult.Compared("influx.writer.ratio_vs_raw_post", Median(writer), "lines/s", "raw batched POST (5000, no gzip)", Median(raw), "≥ 0.8"),
            BenchResult.Absolute("influx.writer.request_p99", p99 * 1000, "ms"),
        ];
    }

    private static double Median(List<double> values)
    {
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[(values.Count / 2) - 1] + values[values.Count / 2]) / 2;
    }

    private static async Task<TimeSpan> RawPostAsync(InfluxServer influx, string db, string[] lines, CancellationToken cancellationToken)
    {
        var uri = new Uri($"write?db={db}&precision=ns", UriKind.Relative);
        var clock = Stopwatch.StartNew();
        for (var i = 0; i < lines.Length; i += BatchSize)
        {
            var body = string.Join('\n', lines, i, Math.Min(BatchSize, lines.Length - i));
            using var content = new StringContent(body, Encoding.UTF8, "text/plain");
            using var response = await influx.Http.PostAsync(uri, content, cancellationToken);
            if (response.StatusCode != HttpStatusCode.NoContent)
            {
                throw new InvalidOperationException($"raw post answered {(int)response.StatusCode}");
            }
        }

        return clock.Elapsed;
    }

    private static async Task<(TimeSpan Elapsed, double P99)> WriterAsync(InfluxServer influx, string db, InfluxPoint[] points, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var options = new InfluxWriterOptions { Url = influx.BaseUri, Database = db, BatchSize = BatchSize };
        await using var writer = new InfluxWriter(http, options, new InMemoryDeadLetterSink());
        await writer.StartAsync(cancellationToken);
        var clock = Stopwatch.StartNew();
        var completions = new List<Task<InfluxWriteResult>>(points.Length / GroupSize + 1);
        for (var i = 0; i < points.Length; i += GroupSize)
        {
            completions.Add(await writer.EnqueueAsync(new ArraySegment<InfluxPoint>(points, i, Math.Min(GroupSize, points.Length - i)), cancellationToken: cancellationToken));
        }

        await writer.FlushAsync(cancellationToken);
        var results = await Task.WhenAll(completions);
        var elapsed = clock.Elapsed;
        if (results.Any(r => !r.AllWritten))
        {
            throw new InvalidOperationException("the writer dead-lettered benchmark points");
        }

        return (elapsed, writer.GetMetrics().LatencyP99Seconds);
    }

    private static InfluxPoint[] MakePoints(int count)
    {
        var start = new DateTimeOffset(2026, 3, 1, 0, 0, 0, TimeSpan.Zero);
        var points = new InfluxPoint[count];
        for (var i = 0; i < count; i++)
        {
            points[i] = new InfluxPoint
            {
                Measurement = "weight",
                Tags = new Dictionary<string, string> { ["site"] = "plant1", ["area"] = "warehouse", ["gateway"] = "gw-01", ["device"] = $"scale-{i % 20}" },
                Fields = new Dictionary<string, InfluxFieldValue>
                {
                    ["kg"] = InfluxFieldValue.Float(1000 + (i * 0.37)),
                    ["stable"] = InfluxFieldValue.Boolean(i % 3 != 0),
                    ["motion"] = InfluxFieldValue.Boolean(i % 3 == 0),
                    ["state"] = InfluxFieldValue.String("ok"),
                    ["seq"] = InfluxFieldValue.Integer(i + 1),
                },
                Timestamp = start.AddTicks(i * 10_000L),
            };
        }

        return points;
    }
}
