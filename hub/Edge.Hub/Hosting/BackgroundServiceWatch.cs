namespace Edge.Hub.Hosting;

/// <summary>
/// Reports a background service whose <c>ExecuteAsync</c> ends in an exception as a <see cref="HubFailure"/>. The
/// .NET host alone only stops (<see cref="BackgroundServiceExceptionBehavior.StopHost"/>) and the process exits with
/// 0, which systemd and anyone reading the unit's status take for a stop on purpose; and until the host has stopped,
/// the hub would look ready and go on acknowledging.
/// </summary>
internal sealed class BackgroundServiceWatch : IHostedLifecycleService
{
    private readonly IServiceProvider _services;
    private readonly HubFailure _failure;
    private readonly IHostApplicationLifetime _lifetime;
    private (BackgroundService Service, Task Task)[] _watched = [];

    /// <summary>Creates the watch.</summary>
    /// <param name="services">Where the hosted services are found once all have started.</param>
    /// <param name="failure">Where a failed service is reported.</param>
    /// <param name="lifetime">Tells a service cancelled by the host's stop from one that ended cancelled on its own.</param>
    public BackgroundServiceWatch(IServiceProvider services, HubFailure failure, IHostApplicationLifetime lifetime)
    {
        _services = services;
        _failure = failure;
        _lifetime = lifetime;
    }

    /// <inheritdoc/>
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Watches every background service: all have started by now, also those registered after this one.</summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A completed task.</returns>
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        _watched = [.. BackgroundTasks()];
        foreach (var (service, task) in _watched)
        {
            _ = task.ContinueWith(
                t => Check(service, t, cancelledIsFailure: !_lifetime.ApplicationStopping.IsCancellationRequested),
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
        }

        // A service that ends cancelled while nobody stopped the hub (a timeout or token of its own) is a failure
        // to the host too, which then stops the application, possibly before the continuation above runs: so a
        // service found cancelled when stopping begins had ended before it.
        _lifetime.ApplicationStopping.Register(() =>
        {
            foreach (var (service, task) in _watched)
            {
                if (task.IsCanceled)
                {
                    Check(service, task, cancelledIsFailure: true);
                }
            }
        });
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <inheritdoc/>
    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Looks once more when every service has stopped, before <see cref="HubApp.RunAsync"/> reads the exit code: a
    /// continuation from <see cref="StartedAsync"/> may not have run yet, or a service failed while stopping.
    /// </summary>
    /// <param name="cancellationToken">Not used.</param>
    /// <returns>A completed task.</returns>
    public Task StoppedAsync(CancellationToken cancellationToken)
    {
        foreach (var (service, task) in _watched)
        {
            if (task.IsFaulted)
            {
                Check(service, task, cancelledIsFailure: false);
            }
        }

        return Task.CompletedTask;
    }

    // Resolved when needed, not injected: this is a hosted service itself, so asking for all of them in the
    // constructor would ask for itself.
    private IEnumerable<(BackgroundService Service, Task Task)> BackgroundTasks()
    {
        foreach (var service in _services.GetServices<IHostedService>())
        {
            if (service is BackgroundService { ExecuteTask: { } task } background)
            {
                yield return (background, task);
            }
        }
    }

    private void Check(BackgroundService service, Task task, bool cancelledIsFailure)
    {
        var component = $"the background service {service.GetType().Name}";
        if (task.Exception is { } aggregate)
        {
            _failure.Fail(component, aggregate.InnerExceptions.Count == 1 ? aggregate.InnerException! : aggregate);
        }
        else if (task.IsCanceled && cancelledIsFailure)
        {
            _failure.Fail(component, new OperationCanceledException($"{service.GetType().Name}.ExecuteAsync ended cancelled while the hub was not stopping."));
        }
    }
}
