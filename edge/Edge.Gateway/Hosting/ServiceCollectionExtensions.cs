using Edge.Gateway.Options;
using Edge.Gateway.Pipeline;
using Edge.Gateway.Systemd;
using Edge.Outbox;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Hosting;

/// <summary>The gateway's parts, one <c>AddXxx</c> per concern.</summary>
internal static class ServiceCollectionExtensions
{
    /// <summary>
    /// Console logging that reads well in journald: under systemd (JOURNAL_STREAM set) one line per entry with a
    /// syslog priority prefix and no colours or timestamps (journald adds its own); on a pipe or file one plain line
    /// with a UTC timestamp; colours only on a terminal.
    /// </summary>
    public static IServiceCollection AddGatewayLogging(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddLogging(logging =>
        {
            logging.ClearProviders();
            logging.AddConfiguration(configuration.GetSection("Logging"));
            var journal = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("JOURNAL_STREAM"));
            if (journal)
            {
                logging.AddSystemdConsole(o => o.IncludeScopes = false);
            }
            else
            {
                var terminal = !Console.IsOutputRedirected;
                logging.AddSimpleConsole(o =>
                {
                    o.SingleLine = true;
                    o.IncludeScopes = false;
                    o.UseUtcTimestamp = true;
                    o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
                    o.ColorBehavior = terminal ? LoggerColorBehavior.Enabled : LoggerColorBehavior.Disabled;
                });
            }

            // Log lines are the gateway's own; the hosting framework's lifecycle chatter goes under Warning.
            logging.AddFilter("Microsoft.Hosting.Lifetime", LogLevel.Warning);
        });
        services.Configure<ConsoleLifetimeOptions>(o => o.SuppressStatusMessages = true);
        return services;
    }

    /// <summary>Binds the <c>Gateway</c> section and validates every key when the host starts.</summary>
    public static IServiceCollection AddGatewayOptions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<GatewayOptions>()
            .Bind(configuration.GetSection(GatewayOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, GatewayOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<GatewayOptions>, UnknownKeyValidator>());

        // A clean stop must finish (outbox closed, graceful death published) inside systemd's stop timeout.
        // Read raw, not through IOptions<GatewayOptions>: the host reads its options before the gateway's are validated,
        // and a bad value must surface as a validation message, not as an exception from the host's constructor.
        services.Configure<HostOptions>(host =>
        {
            var raw = configuration[GatewayOptions.SectionName + ":" + nameof(GatewayOptions.ShutdownTimeout)];
            host.ShutdownTimeout = TimeSpan.TryParse(raw, System.Globalization.CultureInfo.InvariantCulture, out var t) && t > TimeSpan.Zero
                ? t
                : new GatewayOptions().ShutdownTimeout;
            host.BackgroundServiceExceptionBehavior = BackgroundServiceExceptionBehavior.StopHost;
        });
        return services;
    }

    /// <summary>READY/STATUS/STOPPING and the watchdog over NOTIFY_SOCKET (no libsystemd).</summary>
    public static IServiceCollection AddSystemdIntegration(this IServiceCollection services)
    {
        services.TryAddSingleton<SystemdNotifier>();
        services.TryAddSingleton<GatewayLiveness>();
        services.AddHostedService<SystemdWatchdogService>();
        return services;
    }

    /// <summary>The outbox, the MQTT session, the devices and the service that runs them in order.</summary>
    public static IServiceCollection AddGatewayServices(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IClockSyncSource>(sp => new KernelClockSyncSource(sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<KernelClockSyncSource>>()));
        services.AddHostedService<GatewayService>();
        return services;
    }
}
