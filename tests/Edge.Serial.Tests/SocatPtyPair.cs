using Edge.TestSupport;

namespace Edge.Serial.Tests;

/// <summary>
/// Two linked pseudo-terminals from socat, the usual stand-in for a null-modem cable. <see cref="PortPath"/> is the
/// end the code under test opens; <see cref="FarEndPath"/> plays the scale indicator.
/// </summary>
internal sealed class SocatPtyPair : IDisposable
{
    private readonly ChildProcess _socat;

    private SocatPtyPair(ChildProcess socat, string portPath, string farEndPath)
    {
        _socat = socat;
        PortPath = portPath;
        FarEndPath = farEndPath;
    }

    public string PortPath { get; }

    public string FarEndPath { get; }

    public static async Task<SocatPtyPair> StartAsync()
    {
        var socat = Components.Socat;
        var dir = TestDirectories.Create("pty");
        var a = Path.Combine(dir, "a");
        var b = Path.Combine(dir, "b");
        var process = ChildProcess.Start(socat, ["-d", "-d", $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}"], "socat");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(File.Exists(a) && File.Exists(b)))
        {
            if (process.HasExited || DateTime.UtcNow > deadline)
            {
                process.Dispose();
                throw new InvalidOperationException($"socat did not create both pty links within 10 s. Output:\n{process.Output}");
            }

            await Task.Delay(10);
        }

        return new SocatPtyPair(process, a, b);
    }

    /// <summary>Opens the far end like any program would: a plain FileStream on the link.</summary>
    public FileStream OpenFarEnd() => new(FarEndPath, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite, bufferSize: 0);

    /// <summary>SIGKILL: socat gets no chance to clean up, as when a bridge process crashes.</summary>
    public void Kill() => _socat.KillHard();

    public void Dispose() => _socat.Dispose();
}
