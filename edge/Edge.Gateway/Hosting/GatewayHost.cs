using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Edge.Gateway.Hosting;

/// <summary>Builds and runs the host; turns configuration problems into a clear message and exit code 78.</summary>
internal static class GatewayHost
{
    /// <summary>sysexits(3) EX_CONFIG: the unit file keeps systemd from restarting a gateway that cannot start.</summary>
    public const int ExitConfigError = 78;

    /// <summary>Environment variables with this prefix override configuration keys (EDGE_GW_Gateway__Mqtt__Host).</summary>
    public const string EnvironmentPrefix = "EDGE_GW_";

    /// <summary>
    /// Layers, later ones winning: appsettings.json beside the binary, <c>--config FILE</c> on top of it, then the
    /// environment (standard <c>__</c> nesting, then the same with the <see cref="EnvironmentPrefix"/>) so that a
    /// systemd <c>Environment=</c> line or a credential can override one key of a shipped file. Null (after
    /// printing why) when the command line is wrong.
    /// </summary>
    public static HostApplicationBuilder? CreateBuilder(string[] args)
    {
        if (!TryParseArguments(args, out var configFile, out var problem))
        {
            Console.Error.WriteLine(problem);
            Console.Error.WriteLine("usage: Edge.Gateway [--config FILE]");
            return null;
        }

        // No defaults: they would add a file watcher for reloading appsettings.json, the Debug and EventSource log
        // providers and a second copy of every environment source; a gateway reads its configuration once.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,

            // Not the working directory: systemd starts services in /, and appsettings.json ships beside the binary.
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = "edge-gateway",
        });
        builder.Configuration.AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true, reloadOnChange: false);
        if (configFile is not null)
        {
            builder.Configuration.AddJsonFile(Path.GetFullPath(configFile), optional: false, reloadOnChange: false);
        }

        builder.Configuration.AddEnvironmentVariables();
        builder.Configuration.AddEnvironmentVariables(EnvironmentPrefix);

        return builder;
    }

    public static async Task<int> RunAsync(IHost host)
    {
        try
        {
            // Validated here, before the host starts: a failure inside StartAsync is first logged by the host as a
            // stack trace, which buries the one line an operator needs.
            host.Services.GetService<IStartupValidator>()?.Validate();
            await host.RunAsync();
            return Environment.ExitCode;
        }
        catch (OptionsValidationException ex)
        {
            PrintConfigurationErrors(ex.Failures);
            return ExitConfigError;
        }
        catch (InvalidOperationException ex) when (IsBindingError(ex))
        {
            // ConfigurationBinder names the key it could not convert ("... at 'Gateway:Mqtt:Port' to type 'System.Int32'").
            PrintConfigurationErrors([ex.Message]);
            return ExitConfigError;
        }
        finally
        {
            if (host is IAsyncDisposable d)
            {
                await d.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }

    internal static void PrintConfigurationErrors(IEnumerable<string> failures)
    {
        Console.Error.WriteLine("edge-gateway: the configuration is not valid:");
        foreach (var f in failures)
        {
            Console.Error.WriteLine("  " + f);
        }

        Console.Error.WriteLine("Fix the keys above in appsettings.json, the --config file or EDGE_GW_* environment variables.");
    }

    internal static bool TryParseArguments(string[] args, out string? configFile, out string? problem)
    {
        configFile = null;
        problem = null;
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            if (a is "--config" or "-c")
            {
                if (i + 1 >= args.Length)
                {
                    problem = "--config needs a file name.";
                    return false;
                }

                configFile = args[++i];
            }
            else if (a.StartsWith("--config=", StringComparison.Ordinal))
            {
                configFile = a["--config=".Length..];
            }
            else
            {
                problem = $"unknown argument '{a}'.";
                return false;
            }
        }

        if (configFile is not null && !File.Exists(configFile))
        {
            problem = $"--config: the file '{configFile}' does not exist.";
            return false;
        }

        return true;
    }

    private static bool IsBindingError(InvalidOperationException ex) =>
        ex.Message.Contains("configuration", StringComparison.OrdinalIgnoreCase) && ex.Message.Contains('\'', StringComparison.Ordinal);
}
