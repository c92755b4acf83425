using Edge.TestSupport;

namespace Edge.Devices.Tests.Support;

/// <summary>Two pseudo-terminals joined by socat: a null-modem cable between a device stand-in and a driver.</summary>
internal sealed class SocatPtys : IDisposable
{
    private readonly ChildProcess _socat;

    private SocatPtys(ChildProcess socat, string device, string host)
    {
        _socat = socat;
        Device = device;
        Host = host;
    }

    /// <summary>The end the device stand-in (indicator, Modbus server) uses.</summary>
    public string Device { get; }

    /// <summary>The end the driver under test opens.</summary>
    public string Host { get; }

    public static async Task<SocatPtys> StartAsync()
    {
        var socat = Components.Socat;
        var dir = TestDirectories.Create("devices-pty");
        var device = Path.Combine(dir, "device");
        var host = Path.Combine(dir, "host");
        var process = ChildProcess.Start(socat, ["-d", "-d", $"pty,raw,echo=0,link={device}", $"pty,raw,echo=0,link={host}"], name: "socat");
        var deadline = Environment.TickCount64 + 10_000;
        while (!File.Exists(device) || !File.Exists(host))
        {
            if (process.HasExited || Environment.TickCount64 > deadline)
            {
                var output = process.Output;
                process.Dispose();
                throw new InvalidOperationException("socat did not create the pty pair:\n" + output);
            }

            await Task.Delay(10);
        }

        return new SocatPtys(process, device, host);
    }

    public void Dispose() => _socat.Dispose();
}
