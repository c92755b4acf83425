using Edge.TestSupport;

namespace Edge.Mqtt.Tests.Support;

/// <summary>
/// A throwaway CA with a broker certificate for 127.0.0.1/localhost, a broker certificate for another name, and a
/// client certificate, all made by the openssl command line in a test directory.
/// </summary>
internal sealed class TestCertificates
{
    private TestCertificates(string dir) => Directory = dir;

    public string Directory { get; }

    public string CaFile => Path.Combine(Directory, "ca.crt");

    public string ServerCert => Path.Combine(Directory, "server.crt");

    public string ServerKey => Path.Combine(Directory, "server.key");

    public string WrongNameCert => Path.Combine(Directory, "wrong.crt");

    public string WrongNameKey => Path.Combine(Directory, "wrong.key");

    public string ClientCert => Path.Combine(Directory, "client.crt");

    public string ClientKey => Path.Combine(Directory, "client.key");

    public static async Task<TestCertificates> CreateAsync()
    {
        var openssl = Components.RequireProgram("openssl", "openssl");
        var c = new TestCertificates(TestDirectories.Create("tls"));
        string[] ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
        await RunAsync(openssl, c.Directory, ["req", "-x509", .. ec, "-keyout", "ca.key", "-out", "ca.crt", "-days", "2", "-subj", "/CN=Edge Test CA"]);
        await c.IssueAsync(openssl, "server", "/CN=localhost", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth");
        await c.IssueAsync(openssl, "wrong", "/CN=broker.elsewhere.example", "subjectAltName=DNS:broker.elsewhere.example\nextendedKeyUsage=serverAuth");
        await c.IssueAsync(openssl, "client", "/CN=gateway-7", "extendedKeyUsage=clientAuth");
        return c;
    }

    /// <summary>Listener settings for MosquittoBroker.StartAsync: TLS with <paramref name="certName"/> ("server" or "wrong").</summary>
    public string BrokerConfig(string certName, bool requireClientCertificate) =>
        $"cafile {CaFile}\ncertfile {Path.Combine(Directory, certName + ".crt")}\nkeyfile {Path.Combine(Directory, certName + ".key")}\nrequire_certificate {(requireClientCertificate ? "true" : "false")}\n";

    private async Task IssueAsync(string openssl, string name, string subject, string extensions)
    {
        await File.WriteAllTextAsync(Path.Combine(Directory, name + ".ext"), extensions + "\n");
        await RunAsync(openssl, Directory, ["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", name + ".key", "-out", name + ".csr", "-subj", subject]);
        await RunAsync(openssl, Directory, ["x509", "-req", "-in", name + ".csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", name + ".crt", "-days", "2", "-extfile", name + ".ext"]);
    }

    private static async Task RunAsync(string exe, string dir, string[] args)
    {
        using var p = ChildProcess.Start(exe, args, name: "openssl", workingDirectory: dir);
        if (!await p.WaitForExitAsync(TimeSpan.FromSeconds(30)) || p.ExitCode != 0)
        {
            throw new InvalidOperationException($"openssl {string.Join(' ', args)} failed:\n{p.Output}");
        }
    }
}
