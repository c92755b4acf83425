using Edge.Gateway.Hosting;

namespace Edge.Gateway;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var builder = GatewayHost.CreateBuilder(args);
        if (builder is null)
        {
            return GatewayHost.ExitConfigError;
        }

        builder.Services
            .AddGatewayLogging(builder.Configuration)
            .AddGatewayOptions(builder.Configuration)
            .AddSystemdIntegration()
            .AddGatewayServices();
        return await GatewayHost.RunAsync(builder.Build());
    }
}
