using System.Globalization;
using Edge.Hub.Hosting;
using Edge.Hub.Tests.Ingest;
using Edge.Hub.Metrics;
using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Edge.Hub.Tests.Faults;

/// <summary>
/// The InfluxDB writer's sender dies of a bug (not an outage, which it retries): the hub must stop for good and say
/// so, not sit ready with nothing ever written again while the gateways' outboxes fill.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public class InfluxWriterFailureTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_crashed_influx_writer_stops_the_hub_not_ready_with_exit_code_70_and_its_abandoned_readings_are_not_acknowledged()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "writer-bug");
        var bug = new InjectedBug();
        var logs = new LogRecorder();
        var port = Ports.GetFreeTcpPort();
        await using var app = HubApp.Build([.. settings.ToArgs(port)], services =>
        {
            // influxd stays up and answers; the fault is below the writer, where no HTTP answer or network error
            // comes back, only an exception the writer does not expect.
            services.AddHttpClient(InfluxServiceCollectionExtensions.HttpClientName).AddHttpMessageHandler(() => new ThrowWhenArmed(bug));
            services.AddSingleton<ILoggerProvider>(logs);
            ReadinessAtStop.Register(services);
        });
        var atStop = app.Services.GetRequiredService<ReadinessAtStop>();
        var metrics = app.Services.GetRequiredService<HubMetrics>();
        var run = HubApp.RunAsync(app);
        try
        {
            await HubHttp.WaitReadyAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), TimeSpan.FromSeconds(30));
            await using var gw = await TestGateway.StartAsync(broker, settings.Site, replay: false);
            await gw.ResendAsync(1, 10);
            await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 10), s_settle);
            var acksBefore = gw.AcksReceived;

            // Seqs 11-20 are in the writer when it dies: abandoned. Keep the stopping hub consuming a while, to see
            // that readings arriving after the failure are refused quietly: neither acknowledged nor dead-lettered.
            atStop.Hold();
            bug.Arm();
            await gw.ResendAsync(11, 20);
            await atStop.Stopping.WaitAsync(s_settle);
            await gw.ResendAsync(21, 30);
            await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(metrics.ReadingsReceived >= 30 && (metrics.Abandoned >= 2 || logs.Count(51100) > 0)), s_settle);
            atStop.Release();
            var exitCode = await run.WaitAsync(s_settle);

            Assert.Equal(HubFailure.ExitSoftware, exitCode);
            var failed = Assert.Single(logs.Entries, e => e.Id == 51002);
            Assert.Equal(LogLevel.Critical, failed.Level);
            Assert.Contains("the InfluxDB writer", failed.Message, StringComparison.Ordinal);
            Assert.Equal(1, logs.Count(53009));
            Assert.Equal(0, logs.Count(51100));
            Assert.Equal(0, metrics.DeadLetterTotal);

            // influxd, the broker and the store were all fine: only the failure made the hub not ready.
            var report = atStop.Report;
            Assert.NotNull(report);
            Assert.False(report.Ready);
            Assert.True(report.Mqtt.Ok && report.Influx.Ok && report.StateStore.Ok, report.ToString());
            Assert.False(report.Ingest.Ok);
            Assert.Contains("the InfluxDB writer failed", report.Ingest.Detail, StringComparison.Ordinal);
            Assert.Contains(InjectedBug.Message, report.Ingest.Detail, StringComparison.Ordinal);

            Assert.Equal(acksBefore, gw.AcksReceived);
            Assert.Equal(10, gw.LastAck!.StoredThrough);
            Assert.Equal(10, metrics.ReadingsStored);

            // A restarted hub stores the replay of everything the failed one did not acknowledge.
            await using var restarted = await HubHost.StartAsync(settings);
            await gw.ResendAsync(11, 30);
            await ExactlyOnceTests.WaitUntilAsync(() => Task.FromResult(gw.LastAck?.StoredThrough == 30), s_settle);
            Assert.Equal(InfluxCounts.Expected(30), await InfluxCounts.ReadAsync(influx, settings.Database, gw.GatewayId));
        }
        finally
        {
            atStop.Release();
            if (!run.IsCompleted)
            {
                await app.StopAsync();
            }
        }
    }

    private sealed class InjectedBug
    {
        public const string Message = "injected: a bug below the InfluxDB writer";

        private int _armed;

        public bool Armed => Volatile.Read(ref _armed) == 1;

        public void Arm() => Volatile.Write(ref _armed, 1);
    }

    /// <summary>
    /// Passes requests to the real influxd until armed, then throws what neither influxd nor the network produce
    /// (they give an answer, an <see cref="HttpRequestException"/>, an <see cref="IOException"/> or a timeout).
    /// </summary>
    private sealed class ThrowWhenArmed(InjectedBug bug) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            bug.Armed ? throw new InvalidOperationException(InjectedBug.Message) : base.SendAsync(request, cancellationToken);
    }
}
