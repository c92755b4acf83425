namespace Edge.TestSupport;

/// <summary>
/// The daemon behind a server fixture (influxd, mosquitto): one child process run from a generated config in its own
/// directory, counted as started once a readiness probe answers, stopped gracefully or like a power cut, and started
/// again on the same port and store. The fixtures own one each and add only their config and their client API.
/// </summary>
/// <param name="displayName">How failure messages name the daemon.</param>
/// <param name="directory">The daemon's directory (config, data, persistence), deleted on dispose.</param>
/// <param name="program">The resolved executable (see <see cref="Components"/>).</param>
/// <param name="arguments">The command line after the program.</param>
/// <param name="port">The port clients use; it names the child process and appears in failure messages.</param>
/// <param name="isReady">One probe: true once the daemon serves clients.</param>
/// <param name="readyTimeout">How long a start may take before the process is killed and the start counts as failed.</param>
/// <param name="stopGrace">How long a graceful stop waits after SIGTERM before it sends SIGKILL.</param>
internal sealed class ServerProcess(
    string displayName,
    string directory,
    string program,
    IReadOnlyList<string> arguments,
    int port,
    Func<Task<bool>> isReady,
    TimeSpan readyTimeout,
    TimeSpan stopGrace) : IDisposable
{
    // Attempts with a fresh directory and fresh ports before a fixture gives up: a free port can be taken by a
    // parallel test between picking it and the daemon binding it.
    internal const int FreshStartAttempts = 4;

    // After a stop the old socket may linger briefly, so a restart on the same port retries for about five seconds.
    private const int RestartAttempts = 50;
    private static readonly TimeSpan s_restartPause = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan s_probeInterval = TimeSpan.FromMilliseconds(25);

    private ChildProcess? _process;

    public string Directory { get; } = directory;

    public int Port { get; } = port;

    public bool IsRunning => _process is { HasExited: false };

    public string Log => _process?.Output ?? string.Empty;

    /// <summary>The running server's process id, or -1 while it is stopped.</summary>
    public int ProcessId => _process is { HasExited: false } p ? p.Id : -1;

    /// <summary>
    /// Creates a fixture with <paramref name="create"/> and starts its daemon, with a fresh directory and fresh ports
    /// on each of up to <paramref name="attempts"/> attempts; a failed attempt's fixture is disposed.
    /// </summary>
    public static async Task<TServer> StartFreshAsync<TServer>(Func<Task<(TServer Server, ServerProcess Process)>> create, int attempts = FreshStartAttempts)
        where TServer : IDisposable
    {
        for (var attempt = 1; ; attempt++)
        {
            var (server, process) = await create();
            if (await process.TryStartAsync())
            {
                return server;
            }

            var failure = process.Failure("start");
            server.Dispose();
            if (attempt >= attempts)
            {
                throw new InvalidOperationException(failure);
            }
        }
    }

    /// <summary>Stops the daemon the way an operator or a crash would (SIGKILL when <paramref name="hard"/>).</summary>
    public void Stop(bool hard)
    {
        if (_process is null)
        {
            return;
        }

        if (hard)
        {
            _process.KillHard();
        }
        else
        {
            _process.Terminate();
            if (!_process.WaitForExit(stopGrace))
            {
                _process.KillHard();
            }
        }

        _process.Dispose();
        _process = null;
    }

    /// <summary>Starts the daemon again with the same config, so on the same port and with the same store.</summary>
    public async Task StartAgainAsync()
    {
        if (IsRunning)
        {
            return;
        }

        for (var i = 0; i < RestartAttempts; i++)
        {
            if (await TryStartAsync())
            {
                return;
            }

            await Task.Delay(s_restartPause);
        }

        throw new InvalidOperationException(Failure("restart"));
    }

    /// <summary>Kills the daemon and deletes its directory (config, data, persistence).</summary>
    public void Dispose()
    {
        Stop(hard: true);
        try
        {
            System.IO.Directory.Delete(Directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task<bool> TryStartAsync()
    {
        _process?.Dispose();
        _process = ChildProcess.Start(program, arguments, name: $"{Path.GetFileName(program)}:{Port}");
        var deadline = DateTime.UtcNow + readyTimeout;
        while (DateTime.UtcNow < deadline && !_process.HasExited)
        {
            if (await isReady())
            {
                return true;
            }

            await Task.Delay(s_probeInterval);
        }

        _process.KillHard();
        return false;
    }

    private string Failure(string what) => $"{displayName} did not {what} on port {Port}. Its log:\n{Log}";
}
