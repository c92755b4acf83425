namespace Edge.TestSupport;

/// <summary>
/// One server fixture shared by every test in a test assembly: started on first use, started afresh if a test
/// stopped or crashed it, and reaped when the test host exits.
/// </summary>
internal sealed class SharedServer<TServer>
    where TServer : class, IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Func<Task<TServer>> _start;
    private readonly Func<TServer, bool> _isRunning;
    private TServer? _server;

    public SharedServer(Func<Task<TServer>> start, Func<TServer, bool> isRunning)
    {
        _start = start;
        _isRunning = isRunning;
        AppDomain.CurrentDomain.ProcessExit += (_, _) => _server?.Dispose();
    }

    public async Task<TServer> GetAsync()
    {
        await _gate.WaitAsync();
        try
        {
            if (_server is null || !_isRunning(_server))
            {
                _server?.Dispose();
                _server = null;
                _server = await _start();
            }

            return _server;
        }
        finally
        {
            _gate.Release();
        }
    }
}
