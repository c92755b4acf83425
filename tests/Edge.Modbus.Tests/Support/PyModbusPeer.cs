using System.Text.Json;
using Edge.TestSupport;

namespace Edge.Modbus.Tests.Support;

/// <summary>
/// peers/pymodbus_server.py under Debian's python3: a pymodbus 3.0 server, TCP or RTU, whose tables the test can
/// read and set over stdin to check what reached the server side.
/// </summary>
public sealed class PyModbusPeer : IDisposable
{
    private readonly SemaphoreSlim _control = new(1, 1);

    private PyModbusPeer(ChildProcess process)
    {
        Process = process;
    }

    public ChildProcess Process { get; }

    public static string PeerScript(string name) => Path.Combine(AppContext.BaseDirectory, "peers", name);

    public static void RequirePymodbus() => Components.RequirePythonModule("pymodbus", "python3-pymodbus");

    public static Task<PyModbusPeer> StartTcpAsync(int port, string units = "1", string extra = "") =>
        StartAsync(["--tcp", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "--units", units, .. Split(extra)]);

    public static Task<PyModbusPeer> StartRtuAsync(string ptyPath, string units, string extra = "") =>
        StartAsync(["--rtu", ptyPath, "--units", units, .. Split(extra)]);

    private static string[] Split(string extra) => extra.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<PyModbusPeer> StartAsync(string[] args)
    {
        RequirePymodbus();
        var p = ChildProcess.Start(Components.SystemPython, ["-u", PeerScript("pymodbus_server.py"), .. args], name: "pymodbus-server");
        try
        {
            await p.WaitForOutputAsync("READY", TimeSpan.FromSeconds(30));
        }
        catch
        {
            p.Dispose();
            throw;
        }

        return new PyModbusPeer(p);
    }

    /// <summary>Values of a table as the pymodbus server holds them (co/di as 0/1).</summary>
    public async Task<int[]> GetAsync(byte unit, string table, int address, int count)
    {
        var line = await CommandAsync($"get {unit} {table} {address} {count}", "VALUES ");
        return JsonSerializer.Deserialize<int[]>(line["VALUES ".Length..])!;
    }

    public async Task SetAsync(byte unit, string table, int address, params int[] values) =>
        await CommandAsync($"set {unit} {table} {address} {string.Join(',', values)}", "OK");

    private async Task<string> CommandAsync(string command, string answerPrefix)
    {
        await _control.WaitAsync();
        try
        {
            var before = Answers(answerPrefix).Count;
            await Process.StandardInput.WriteLineAsync(command);
            await Process.StandardInput.FlushAsync();
            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
            while (DateTime.UtcNow < deadline)
            {
                var answers = Answers(answerPrefix);
                if (answers.Count > before)
                {
                    return answers[^1];
                }

                if (Process.HasExited)
                {
                    break;
                }

                await Task.Delay(10);
            }

            throw new TimeoutException($"pymodbus peer did not answer '{command}'. Output:\n{Process.Output}");
        }
        finally
        {
            _control.Release();
        }
    }

    private List<string> Answers(string prefix) =>
        [.. Process.Output.Split('\n').Where(l => l.StartsWith(prefix, StringComparison.Ordinal))];

    public void Dispose()
    {
        Process.Dispose();
        _control.Dispose();
    }
}
