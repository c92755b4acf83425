using Edge.Hub.Api;
using Microsoft.Extensions.Options;

namespace Edge.Hub;

/// <summary>
/// Builds the hub's web application, for <c>Program.cs</c> and for tests that run the hub in-process on a free port
/// (<c>--urls http://127.0.0.1:PORT</c>).
/// </summary>
internal static class HubApp
{
    /// <summary>Builds the application (configuration from appsettings.json, environment variables and <paramref name="args"/>).</summary>
    /// <param name="args">Command-line arguments, e.g. <c>--Mqtt:Host=broker</c>.</param>
    /// <param name="configureServices">Lets a test replace services after the hub's registrations.</param>
    /// <returns>The application, not started.</returns>
    public static WebApplication Build(string[] args, Action<IServiceCollection>? configureServices = null)
    {
        // The content root (appsettings.json) is where the hub's files are, not wherever it was started from.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
        builder.Services.AddHubIngest(builder.Configuration);
        builder.Services.AddHubApi(builder.Configuration);
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapHubEndpoints();
        return app;
    }

    /// <summary>sysexits(3) EX_CONFIG: a service manager should not restart a hub whose configuration is wrong.</summary>
    public const int ExitConfigError = 78;

    /// <summary>
    /// Validates every option, then runs the hub until it is stopped. A configuration error is printed as its keys on
    /// stderr with exit code <see cref="ExitConfigError"/>, instead of an unhandled exception's stack trace; a hub
    /// that stopped itself after a failure (<see cref="Hosting.HubFailure"/>) ends with
    /// <see cref="Hosting.HubFailure.ExitSoftware"/>, so the service manager restarts it.
    /// </summary>
    /// <param name="app">The application from <see cref="Build"/>.</param>
    /// <returns>The process exit code.</returns>
    public static async Task<int> RunAsync(WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        try
        {
            app.Services.GetService<IStartupValidator>()?.Validate();
        }
        catch (OptionsValidationException ex)
        {
            PrintConfigurationErrors(ex.Failures);
            return ExitConfigError;
        }
        catch (InvalidOperationException ex) when (ex.Message.StartsWith("Failed to convert configuration value", StringComparison.Ordinal))
        {
            // The binder names the key it could not convert ("... at 'Mqtt:Port' to type 'System.Int32'").
            PrintConfigurationErrors([ex.Message]);
            return ExitConfigError;
        }

        // Taken first: RunAsync disposes the application's services when it returns.
        var failure = app.Services.GetRequiredService<Hosting.HubFailure>();
        await app.RunAsync();
        return failure.ExitCode ?? Environment.ExitCode;
    }

    private static void PrintConfigurationErrors(IEnumerable<string> failures)
    {
        Console.Error.WriteLine("edge-hub: the configuration is not valid:");
        foreach (var failure in failures)
        {
            Console.Error.WriteLine("  " + failure);
        }

        Console.Error.WriteLine("Fix the keys above in appsettings.json, the command line or the environment (e.g. Mqtt__Host).");
    }
}
