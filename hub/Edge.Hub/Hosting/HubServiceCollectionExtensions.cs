using Edge.Hub.Api;
using Edge.Hub.Hosting;
using Edge.Hub.Influx;
using Edge.Hub.Ingest;
using Edge.Hub.Metrics;
using Edge.Hub.Roster;
using Edge.Hub.State;
using Edge.Mqtt;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers the hub's parts. Hosted services start in registration order and stop in reverse.</summary>
internal static class HubServiceCollectionExtensions
{
    /// <summary>
    /// Adds the state store (opened, migrated and loaded by the first hosted service), the InfluxDB writer, the MQTT
    /// connection, the dead-letter recorder, the acknowledgement publisher, the ingest and the roster monitor, in
    /// that order, so that at shutdown the ingest stops first and the acknowledgements it made possible still go out
    /// before the connection closes. A background service that fails stops the hub through <see cref="HubFailure"/>
    /// (<see cref="BackgroundServiceWatch"/>).
    /// </summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddHubIngest(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.TryAddSingleton(TimeProvider.System);
        services.AddValidatedOptions<StateStoreOptions, StateStoreOptionsValidator>(configuration, StateStoreOptions.SectionName);
        services.AddValidatedOptions<IngestOptions, IngestOptionsValidator>(configuration, IngestOptions.SectionName);
        services.AddValidatedOptions<DeadLetterOptions, DeadLetterOptionsValidator>(configuration, DeadLetterOptions.SectionName);
        services.AddValidatedOptions<RosterOptions, RosterOptionsValidator>(configuration, RosterOptions.SectionName);
        services.AddOptions<MqttClientOptions>()
            .Configure(HubMqttOptions.ApplyDefaults)
            .Bind(configuration.GetSection(MqttClientOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttClientOptions>, MqttClientOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MqttClientOptions>, HubMqttOptionsValidator>());

        services.TryAddSingleton(_ => TestCrashHook.FromEnvironment());
        services.TryAddSingleton<HubFailure>();
        services.TryAddSingleton<HubMetrics>();
        services.TryAddSingleton<IngestLedger>();
        services.TryAddSingleton<RosterTracker>();
        services.TryAddSingleton<IStateStore, SqliteStateStore>();
        services.TryAddSingleton<IDeadLetterSink>(sp => sp.GetRequiredService<IStateStore>());
        services.AddHostedService<HubStartup>();

        services.AddInfluxWriter(configuration);

        services.AddHostedSingleton<HubMqttConnection>();
        services.AddHostedSingleton<DeadLetterRecorder>();
        services.AddHostedSingleton<AckPublisher>();
        services.AddHostedSingleton<IngestService>();
        services.AddHostedSingleton<RosterMonitor>();
        services.AddHostedSingleton<MemoryTrimmer>();
        services.AddHostedService<BackgroundServiceWatch>();

        services.TryAddSingleton<Readiness>();
        services.AddHttpClient(Readiness.HttpClientName);
        services.TryAddSingleton<PrometheusExposition>();
        return services;
    }

    /// <summary>Adds the HTTP API: API-key authentication with role policies, problem details, JSON metadata.</summary>
    /// <param name="services">The services.</param>
    /// <param name="configuration">The configuration root.</param>
    /// <returns>The services.</returns>
    public static IServiceCollection AddHubApi(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddValidatedOptions<ApiOptions, ApiOptionsValidator>(configuration, ApiOptions.SectionName);
        services.AddProblemDetails();
        services.AddAuthentication(ApiKeyAuthenticationOptions.Scheme)
            .AddScheme<ApiKeyAuthenticationOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationOptions.Scheme, null);
        services.AddAuthorization(ApiPolicies.Add);
        services.ConfigureHttpJsonOptions(o =>
        {
            o.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
            o.SerializerOptions.DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull;
        });
        return services;
    }

    private static void AddValidatedOptions<TOptions, TValidator>(this IServiceCollection services, IConfiguration configuration, string section)
        where TOptions : class
        where TValidator : class, IValidateOptions<TOptions>
    {
        services.AddOptions<TOptions>().Bind(configuration.GetSection(section)).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>, TValidator>());
    }

    private static void AddHostedSingleton<T>(this IServiceCollection services)
        where T : class, IHostedService
    {
        services.TryAddSingleton<T>();
        services.AddHostedService(sp => sp.GetRequiredService<T>());
    }
}
