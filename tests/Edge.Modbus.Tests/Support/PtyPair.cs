using Edge.TestSupport;

namespace Edge.Modbus.Tests.Support;

/// <summary>Two connected pseudo-terminals from socat: a null-modem cable for RTU tests.</summary>
public sealed class PtyPair : IDisposable
{
    private readonly ChildProcess _socat;

    private PtyPair(ChildProcess socat, string a, string b)
    {
        _socat = socat;
        A = a;
        B = b;
    }

    /// <summary>The master's end.</summary>
    public string A { get; }

    /// <summary>The server's end.</summary>
    public string B { get; }

    public static async Task<PtyPair> StartAsync()
    {
        var socat = Components.Socat;
        var dir = TestDirectories.Create("pty");
        var a = Path.Combine(dir, "a");
        var b = Path.Combine(dir, "b");
        var p = ChildProcess.Start(socat, ["-d", "-d", $"pty,raw,echo=0,link={a}", $"pty,raw,echo=0,link={b}"], name: "socat");
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!(File.Exists(a) && File.Exists(b)))
        {
            if (p.HasExited || DateTime.UtcNow > deadline)
            {
                var output = p.Output;
                p.Dispose();
                throw new InvalidOperationException($"socat did not create {a} and {b}. Output:\n{output}");
            }

            await Task.Delay(10);
        }

        return new PtyPair(p, a, b);
    }

    public void Dispose() => _socat.Dispose();
}
