using Edge.Hub.Api;

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
}
