namespace Edge.TestSupport;

/// <summary>Locates the real programs and libraries tests run against, failing loudly when one is missing.</summary>
public static class Components
{
    /// <summary>Debian's python3 (pyenv's interpreter on PATH lacks Debian's python3-* modules).</summary>
    public const string SystemPython = "/usr/bin/python3";

    public static string RequireProgram(string name, string debianPackage)
    {
        foreach (var dir in SearchPath())
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new MissingComponentException($"The program '{name}'", debianPackage);
    }

    public static void RequireLibrary(string soname, string debianPackage)
    {
        string[] dirs = ["/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/usr/lib/arm-linux-gnueabihf", "/lib/x86_64-linux-gnu", "/usr/lib", "/lib"];
        if (!dirs.Any(d => File.Exists(Path.Combine(d, soname))))
        {
            throw new MissingComponentException($"The native library '{soname}'", debianPackage);
        }
    }

    public static void RequirePythonModule(string module, string debianPackage)
    {
        if (!File.Exists(SystemPython))
        {
            throw new MissingComponentException("Debian's python3", "python3");
        }

        using var p = ChildProcess.Start(SystemPython, ["-c", $"import {module}"], name: $"python-import-{module}");
        if (!p.WaitForExit(TimeSpan.FromSeconds(30)) || p.ExitCode != 0)
        {
            throw new MissingComponentException($"The Python module '{module}'", debianPackage);
        }
    }

    public static string Mosquitto => RequireProgram("mosquitto", "mosquitto");

    public static string MosquittoPub => RequireProgram("mosquitto_pub", "mosquitto-clients");

    public static string MosquittoSub => RequireProgram("mosquitto_sub", "mosquitto-clients");

    public static string Influxd => RequireProgram("influxd", "influxdb");

    public static string Socat => RequireProgram("socat", "socat");

    private static IEnumerable<string> SearchPath()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            yield return dir;
        }

        // Daemons live in sbin, which a non-login PATH may lack.
        yield return "/usr/sbin";
        yield return "/sbin";
        yield return "/usr/bin";
    }
}
