using System.Globalization;
using Edge.Hub.Hosting;
using Edge.Hub.State;
using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Edge.Hub.Tests.Ingest;

/// <summary>A fault in the commit loop that is not a store outage: the hub must stop for good, not linger.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class CommitFailureTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task An_unexpected_commit_failure_stops_the_hub_not_ready_with_exit_code_70_and_acknowledges_nothing_more()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "commit-bug");
        ThrowingCommits? store = null;
        var logs = new LogRecorder();
        var port = Ports.GetFreeTcpPort();
        await using var app = HubApp.Build([.. settings.ToArgs(port)], services =>
        {
            services.AddSingleton<IStateStore>(sp => store = new ThrowingCommits(ActivatorUtilities.CreateInstance<SqliteStateStore>(sp)));
            services.AddSingleton<ILoggerProvider>(logs);
            ReadinessAtStop.Register(services);
        });
        var atStop = app.Services.GetRequiredService<ReadinessAtStop>();
        var run = HubApp.RunAsync(app);
        try
        {
            await HubHttp.WaitReadyAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), TimeSpan.FromSeconds(30));
            await using var gw = await TestGateway.StartAsync(broker, settings.Site, replay: false);
            await gw.ResendAsync(1, 10);
            await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 10), s_settle);
            var acksBefore = gw.AcksReceived;

            Assert.NotNull(store);
            store.Arm();
            await gw.ResendAsync(11, 20);
            var exitCode = await run.WaitAsync(s_settle);

            Assert.Equal(HubFailure.ExitSoftware, exitCode);
            Assert.Equal(1, store.Failures);
            Assert.Equal(1, logs.Count(51002));

            // Broker, InfluxDB and store were all fine when the hub began to stop: only the failure made it not ready.
            var report = atStop.Report;
            Assert.NotNull(report);
            Assert.False(report.Ready);
            Assert.True(report.Mqtt.Ok && report.Influx.Ok && report.StateStore.Ok, report.ToString());
            Assert.False(report.Ingest.Ok);
            Assert.Contains("a bug after the commit", report.Ingest.Detail, StringComparison.Ordinal);

            // Seqs 11-20 are in the store, but the hub that failed never says so; a fresh hub does, on replay.
            Assert.Equal(acksBefore, gw.AcksReceived);
            Assert.Equal(10, gw.LastAck!.StoredThrough);
            await using var restarted = await HubHost.StartAsync(settings);
            await gw.ResendAsync(11, 20);
            await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 20), s_settle);
        }
        finally
        {
            if (!run.IsCompleted)
            {
                await app.StopAsync();
            }
        }
    }

    /// <summary>Commits, then throws what no store outage throws: a bug between the commit and the ledger.</summary>
    private sealed class ThrowingCommits(SqliteStateStore inner) : DelegatingStateStore(inner)
    {
        private int _armed;
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);

        public void Arm() => Volatile.Write(ref _armed, 1);

        public override IReadOnlyList<GatewayCommit> Commit(IReadOnlyList<StoreWork> work, DateTimeOffset now)
        {
            var commits = base.Commit(work, now);
            if (Volatile.Read(ref _armed) == 0)
            {
                return commits;
            }

            Interlocked.Increment(ref _failures);
            throw new InvalidOperationException("a bug after the commit");
        }
    }
}
