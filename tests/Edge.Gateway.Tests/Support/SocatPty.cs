using Edge.TestSupport;

namespace Edge.Gateway.Tests.Support;

/// <summary>Two linked pseudo-terminals made by socat: what is written to one end is read at the other, like a null-modem cable.</summary>
internal sealed class SocatPty : IDisposable
{
    private readonly ChildProcess _socat;

    private SocatPty(ChildProcess socat, string a, string b)
    {
        _socat = socat;
        DeviceEnd = a;
        GatewayEnd = b;
    }

    public string DeviceEnd { get; }

    public string GatewayEnd { get; }

    public static async Task<SocatPty> StartAsync()
    {
        var socat = Components.Socat;
        var dir = TestDirectories.Create("pty");
        var a = Path.Combine(dir, "device");
        var b = Path.Combine(dir, "gateway");
        var p = ChildProcess.Start(socat, ["-d", "-d", $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}"], name: "socat");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(File.Exists(a) && File.Exists(b)))
        {
            if (DateTime.UtcNow > deadline || p.HasExited)
            {
                var output = p.Output;
                p.Dispose();
                throw new InvalidOperationException("socat did not create the pty pair:\n" + output);
            }

            await Task.Delay(20);
        }

        return new SocatPty(p, a, b);
    }

    public void Dispose() => _socat.Dispose();
}
