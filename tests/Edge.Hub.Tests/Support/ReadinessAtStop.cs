using Edge.Hub.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Edge.Hub.Tests.Support;

/// <summary>
/// Registered after the hub's services, so stopped first: reads /readyz's report while everything else still runs,
/// and can keep the rest of the hub running a while longer, for a test to see what it does once it has failed.
/// </summary>
internal sealed class ReadinessAtStop(Readiness readiness) : IHostedService
{
    private readonly TaskCompletionSource _stopping = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _hold;

    public ReadinessReport? Report { get; private set; }

    /// <summary>Completes when the host began to stop and <see cref="Report"/> is taken.</summary>
    public Task Stopping => _stopping.Task;

    /// <summary>Adds it to a hub (call in the hub's <c>configureServices</c>).</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<ReadinessAtStop>();
        services.AddHostedService(sp => sp.GetRequiredService<ReadinessAtStop>());
    }

    /// <summary>From now on the hub's other services are stopped only after <see cref="Release"/> (or the host's shutdown timeout).</summary>
    public void Hold() => _hold = true;

    public void Release() => _release.TrySetResult();

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        Report = await readiness.CheckAsync(cancellationToken);
        _stopping.TrySetResult();
        if (_hold)
        {
            await _release.Task.WaitAsync(cancellationToken);
        }
    }
}
