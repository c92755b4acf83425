using System.Diagnostics;
using Edge.Hub.Influx;
using Edge.TestSupport;
using Xunit;
using Xunit.Abstractions;

namespace Edge.Hub.Tests.Influx;

/// <summary>influxd stopped while readings keep coming, then started again: nothing lost, few requests.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class InfluxOutageTests(ITestOutputHelper output)
{
    /// <summary>The outage length: the two minutes unless EDGE_INFLUX_OUTAGE_SECONDS says otherwise.</summary>
    private static TimeSpan OutageLength =>
        TimeSpan.FromSeconds(int.TryParse(Environment.GetEnvironmentVariable("EDGE_INFLUX_OUTAGE_SECONDS"), out var s) && s > 0 ? s : 120);

    [Fact]
    public async Task Outage_of_influxd_loses_nothing_and_costs_only_the_requests_the_backoff_allows()
    {
        var outage = OutageLength;
        await using var influx = await InfluxServer.StartAsync();
        var db = await influx.CreateDatabaseAsync("o");

        // Production backoff: 0.5 s doubling to 10 s.
        await using var h = await WriterHarness.StartAsync(influx.BaseUri, db, o =>
        {
            o.BatchInterval = TimeSpan.FromMilliseconds(200);
            o.InitialRetryDelay = TimeSpan.FromMilliseconds(500);
            o.MaxRetryDelay = TimeSpan.FromSeconds(10);
            o.RequestTimeout = TimeSpan.FromSeconds(5);
        });
        var states = new List<InfluxWriterState>();
        h.Writer.StatusChanged += (_, s) =>
        {
            lock (states)
            {
                states.Add(s.State);
            }
        };

        var completions = new List<Task<InfluxWriteResult>>();
        long seq = 0;
        using var stopProducing = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            // Ten readings a second, as one busy gateway would send them.
            while (!stopProducing.IsCancellationRequested)
            {
                var completion = await h.Writer.EnqueueAsync(Points.Weight(Interlocked.Increment(ref seq)));
                lock (completions)
                {
                    completions.Add(completion);
                }

                await Task.Delay(100);
            }
        });

        await Task.Delay(TimeSpan.FromSeconds(2));
        var beforeStop = h.Counter.Count;
        var down = Stopwatch.StartNew();
        influx.Stop();
        await Task.Delay(outage);
        await influx.StartAgainAsync();
        var outageSeen = down.Elapsed;
        var duringOutage = h.Counter.Count - beforeStop;
        await Task.Delay(TimeSpan.FromSeconds(2));
        await stopProducing.CancelAsync();
        await producer;

        Task<InfluxWriteResult>[] all;
        lock (completions)
        {
            all = [.. completions];
        }

        // After the restart the failing batch retries within one ceiling (10 s), then the backlog drains.
        var results = await Task.WhenAll(all).WaitAsync(TimeSpan.FromSeconds(60));

        Assert.All(results, r => Assert.True(r.AllWritten));
        Assert.Empty(h.Sink.Letters);
        var produced = Interlocked.Read(ref seq);
        Assert.True(produced >= outage.TotalSeconds * 5, $"only {produced} readings were produced");
        var rows = await influx.QueryRowsAsync(db, "SELECT COUNT(seq) FROM weight");
        Assert.Equal(produced, rows[0][1].GetInt64());

        // One batch is in flight at a time, so the outage costs the requests of one backoff schedule (+1 for the
        // request that was under way when influxd went down).
        var bound = h.Writer.Schedule.MaxRequestsWithin(outageSeen) + 1;
        output.WriteLine($"outage {outageSeen.TotalSeconds:0.0} s: {duringOutage} requests (bound {bound}); {produced} readings, {h.Counter.Count} requests in all");
        Assert.InRange(duringOutage, 2, bound);
        lock (states)
        {
            Assert.Equal(InfluxWriterState.Retrying, states[0]);
            Assert.Equal(InfluxWriterState.Healthy, states[^1]);
        }
    }
}
