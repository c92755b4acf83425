using System.Globalization;
using Edge.TestSupport;

namespace Edge.Mqtt.Tests.Support;

/// <summary>Freezes and thaws a private broker (SIGSTOP/SIGCONT) to hold back acknowledgements without closing sockets.</summary>
internal static class BrokerProcess
{
    public static async Task SignalAsync(MosquittoBroker broker, string signal)
    {
        var config = Path.Combine(broker.Directory, "mosquitto.conf");
        var pid = Directory.EnumerateDirectories("/proc")
            .Select(d => Path.GetFileName(d))
            .Where(n => n.All(char.IsAsciiDigit))
            .FirstOrDefault(n =>
            {
                try
                {
                    return File.ReadAllText($"/proc/{n}/cmdline").Contains(config, StringComparison.Ordinal);
                }
                catch (IOException)
                {
                    return false;
                }
                catch (UnauthorizedAccessException)
                {
                    return false;
                }
            }) ?? throw new InvalidOperationException($"No process runs {config}.");
        using var kill = ChildProcess.Start("/bin/kill", [signal, pid.ToString(CultureInfo.InvariantCulture)], name: "kill");
        Assert.True(await kill.WaitForExitAsync(TimeSpan.FromSeconds(10)) && kill.ExitCode == 0, kill.Output);
    }
}
