using System.Globalization;
using Edge.Hub.Hosting;
using Edge.Hub.Tests.Support;
using Edge.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Edge.Hub.Tests.Hosting;

/// <summary>
/// A background service that ends in an exception makes the .NET host stop; the hub must then also exit non-zero,
/// or systemd and whoever reads the unit's status take the crash for a clean stop.
/// </summary>
[Trait(Traits.Category, Traits.Integration)]
public class BackgroundServiceFailureTests
{
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task A_background_service_that_throws_out_of_ExecuteAsync_stops_the_hub_not_ready_with_exit_code_70(bool asCancellation)
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "service-bug");
        var logs = new LogRecorder();
        var port = Ports.GetFreeTcpPort();
        await using var app = HubApp.Build([.. settings.ToArgs(port)], services =>
        {
            services.AddSingleton(new FailingService(asCancellation));
            services.AddHostedService(sp => sp.GetRequiredService<FailingService>());
            services.AddSingleton<ILoggerProvider>(logs);
            ReadinessAtStop.Register(services);
        });
        var atStop = app.Services.GetRequiredService<ReadinessAtStop>();
        var service = app.Services.GetRequiredService<FailingService>();
        var run = HubApp.RunAsync(app);
        try
        {
            await HubHttp.WaitReadyAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), TimeSpan.FromSeconds(30));

            service.Fail();
            var exitCode = await run.WaitAsync(s_settle);

            Assert.Equal(HubFailure.ExitSoftware, exitCode);
            var failed = Assert.Single(logs.Entries, e => e.Id == 51002);
            Assert.Equal(LogLevel.Critical, failed.Level);
            Assert.Contains(nameof(FailingService), failed.Message, StringComparison.Ordinal);
            var report = atStop.Report;
            Assert.NotNull(report);
            Assert.False(report.Ingest.Ok);
            Assert.Contains(nameof(FailingService), report.Ingest.Detail, StringComparison.Ordinal);
        }
        finally
        {
            if (!run.IsCompleted)
            {
                await app.StopAsync();
            }
        }
    }

    [Fact]
    public async Task A_hub_whose_MQTT_message_stream_ends_while_running_stops_not_ready_with_exit_code_70()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "stream-ended");
        var logs = new LogRecorder();
        var port = Ports.GetFreeTcpPort();
        await using var app = HubApp.Build([.. settings.ToArgs(port)], services =>
        {
            services.AddSingleton<ILoggerProvider>(logs);
            ReadinessAtStop.Register(services);
        });
        var atStop = app.Services.GetRequiredService<ReadinessAtStop>();
        var run = HubApp.RunAsync(app);
        try
        {
            await HubHttp.WaitReadyAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), TimeSpan.FromSeconds(30));

            // The client's loop ends under the hub (as when it dies): its message stream completes.
            await app.Services.GetRequiredService<HubMqttConnection>().Client.DisposeAsync();
            var exitCode = await run.WaitAsync(s_settle);

            Assert.Equal(HubFailure.ExitSoftware, exitCode);
            var failed = Assert.Single(logs.Entries, e => e.Id == 51002);
            Assert.Contains("MQTT client", failed.Message, StringComparison.Ordinal);
            Assert.NotNull(atStop.Report);
            Assert.False(atStop.Report.Ingest.Ok);
        }
        finally
        {
            if (!run.IsCompleted)
            {
                await app.StopAsync();
            }
        }
    }

    [Fact]
    public async Task A_hub_stopped_on_purpose_exits_with_0()
    {
        var broker = await SharedMosquitto.GetAsync();
        var influx = await SharedInflux.GetAsync();
        var settings = await HubSettings.CreateAsync(broker, influx, "clean-stop");
        var logs = new LogRecorder();
        var port = Ports.GetFreeTcpPort();
        await using var app = HubApp.Build([.. settings.ToArgs(port)], services => services.AddSingleton<ILoggerProvider>(logs));
        var run = HubApp.RunAsync(app);
        await HubHttp.WaitReadyAsync(new Uri($"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/"), TimeSpan.FromSeconds(30));

        // What SIGTERM (systemctl stop) does.
        app.Lifetime.StopApplication();
        var exitCode = await run.WaitAsync(s_settle);

        Assert.Equal(0, exitCode);
        Assert.Equal(0, logs.Count(51002));
    }

    /// <summary>A service with a bug: its ExecuteAsync ends in an exception when told to.</summary>
    private sealed class FailingService(bool asCancellation) : BackgroundService
    {
        private readonly TaskCompletionSource _fail = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void Fail() => _fail.TrySetResult();

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            await _fail.Task.WaitAsync(stoppingToken);

            // A timeout of the service's own, not the host's stop, ends as a cancelled task: still a failure.
            throw asCancellation
                ? new OperationCanceledException("a timeout of the service's own", null, new CancellationToken(canceled: true))
                : new InvalidOperationException("a bug in a background service");
        }
    }
}
