using Edge.Hub.Hosting;
using Edge.Hub.Influx;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hub's InfluxDB writer.</summary>
internal static class InfluxServiceCollectionExtensions
{
    /// <summary>The name of the writer's <see cref="HttpClient"/>.</summary>
    public const string HttpClientName = "Edge.Hub.Influx";

    /// <summary>
    /// Adds <see cref="InfluxWriter"/> as <see cref="IInfluxWriter"/> and as a hosted service, bound to the
    /// <c>Influx</c> section and validated at start; a crash of its sender stops the hub through <see cref="HubFailure"/>
    /// when that is registered. An <see cref="IDeadLetterSink"/> must be registered too (the
    /// state store's); there is deliberately no default, as a dead letter must be stored durably before it is acknowledged.
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root (the <c>Influx</c> section is read from it).</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddInfluxWriter(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<InfluxWriterOptions>()
            .Bind(configuration.GetSection(InfluxWriterOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<InfluxWriterOptions>, InfluxWriterOptionsValidator>());
        services.TryAddSingleton(TimeProvider.System);
        services.AddMetrics();

        // The writer has its own per-request timeout (RequestTimeout); the client's must not cut in first.
        services.AddHttpClient(HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan);
        services.TryAddSingleton(sp =>
        {
            var monitor = sp.GetRequiredService<IOptionsMonitor<InfluxWriterOptions>>();

            // Without the hub's failure latch (a writer registered on its own) a crash is only logged.
            var failure = sp.GetService<HubFailure>();
            var writer = new InfluxWriter(
                sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpClientName),
                monitor.CurrentValue,
                sp.GetRequiredService<IDeadLetterSink>(),
                sp.GetRequiredService<TimeProvider>(),
                sp.GetRequiredService<ILogger<InfluxWriter>>(),
                sp.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(),
                failed: failure is null ? null : ex => failure.Fail("the InfluxDB writer", ex));

            // Fixing the password in the configuration ends a 401 hold without a restart (and without losing the
            // held data); the other settings take effect at the next start.
            monitor.OnChange(o => writer.SetCredentials(o.Username, o.Password));
            return writer;
        });
        services.TryAddSingleton<IInfluxWriter>(sp => sp.GetRequiredService<InfluxWriter>());
        services.AddHostedService(sp => sp.GetRequiredService<InfluxWriter>());
        return services;
    }
}
