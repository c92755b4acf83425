using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Serial;
using Edge.TestSupport;

namespace Edge.Gateway.Tests.Support;

/// <summary>Where a test plays the indicator: it writes the bytes the indicator would send.</summary>
internal interface IIndicatorLink : IAsyncDisposable
{
    /// <summary>Writes bytes to the gateway, waiting for it to be connected.</summary>
    Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default);
}

/// <summary>
/// An indicator behind a serial-to-Ethernet converter: a TCP server on loopback that the gateway connects to. A
/// reconnecting gateway replaces the previous connection, as a converter with one client does.
/// </summary>
internal sealed class TcpIndicator : IIndicatorLink
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accepting;
    private TcpClient? _client;
    private int _connections;

    public TcpIndicator()
    {
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _accepting = Task.Run(AcceptAsync);
    }

    public int Port { get; }

    /// <summary>How many times the gateway connected.</summary>
    public int Connections => Volatile.Read(ref _connections);

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (true)
        {
            var client = Volatile.Read(ref _client);
            if (client is not null)
            {
                try
                {
                    await client.GetStream().WriteAsync(bytes, cancellationToken);
                    return;
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException)
                {
                    // The gateway dropped the link; it reconnects and the bytes go to the new connection.
                    Interlocked.CompareExchange(ref _client, null, client);
                }
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the gateway did not connect to the indicator");
            }

            await Task.Delay(20, cancellationToken);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        Volatile.Read(ref _client)?.Dispose();
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            client.NoDelay = true;
            Interlocked.Increment(ref _connections);
            Interlocked.Exchange(ref _client, client)?.Dispose();
        }
    }
}

/// <summary>An indicator on a serial line: the device end of a socat pty pair, opened through Edge.Serial.</summary>
internal sealed class PtyIndicator : IIndicatorLink
{
    private readonly SocatPty _pty;
    private readonly SerialPort _port;

    private PtyIndicator(SocatPty pty, SerialPort port)
    {
        _pty = pty;
        _port = port;
    }

    /// <summary>The path the gateway opens.</summary>
    public string GatewayEnd => _pty.GatewayEnd;

    public SerialPort Port => _port;

    public static async Task<PtyIndicator> StartAsync()
    {
        Components.RequireLibrary("libserialport.so.0", "libserialport0");
        var pty = await SocatPty.StartAsync();
        try
        {
            return new PtyIndicator(pty, SerialPort.Open(pty.DeviceEnd, new SerialPortSettings { BaudRate = 9600 }));
        }
        catch
        {
            pty.Dispose();
            throw;
        }
    }

    public Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken = default) =>
        _port.WriteAsync(bytes, TimeSpan.FromSeconds(5), cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _port.DisposeAsync();
        _pty.Dispose();
    }
}

/// <summary>
/// A METTLER TOLEDO balance answering MT-SICS commands on a pty: every command line the gateway sends is recorded and
/// answered with the next scripted reply. With nothing scripted it stays silent (the gateway's polls go unanswered),
/// so a test decides exactly how many replies the gateway gets.
/// </summary>
internal sealed class MtSicsBalance : IAsyncDisposable
{
    private readonly PtyIndicator _link;
    private readonly ConcurrentQueue<string> _script = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _answered;
    private int _scripted;

    private MtSicsBalance(PtyIndicator link)
    {
        _link = link;
        _loop = Task.Run(RunAsync);
    }

    public string GatewayEnd => _link.GatewayEnd;

    /// <summary>Every command line received, in order, without CR LF.</summary>
    public ConcurrentQueue<string> Commands { get; } = new();

    public static async Task<MtSicsBalance> StartAsync() => new(await PtyIndicator.StartAsync());

    /// <summary>Adds replies, each answering one command.</summary>
    public void Script(params string[] replies)
    {
        foreach (var r in replies)
        {
            Interlocked.Increment(ref _scripted);
            _script.Enqueue(r);
        }
    }

    /// <summary>Adds the same reply for the next <paramref name="count"/> commands.</summary>
    public void Script(string reply, int count) => Script([.. Enumerable.Repeat(reply, count)]);

    /// <summary>Waits until every scripted reply was sent.</summary>
    public async Task AnsweredAllAsync(GatewayProcess gw, TimeSpan? timeout = null)
    {
        await LifecycleTests.WaitUntilAsync(() => _loop.IsCompleted || Volatile.Read(ref _answered) == Volatile.Read(ref _scripted), gw, timeout);
        if (_loop.IsCompleted)
        {
            // The balance's loop ends only when disposed; anything else is a fault to show.
            await _loop;
            throw new InvalidOperationException("the balance stopped answering");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }

        await _link.DisposeAsync();
        _stop.Dispose();
    }

    private async Task RunAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var line = await _link.Port.ReadLineAsync(TimeSpan.FromMilliseconds(200), cancellationToken: _stop.Token);
            if (string.IsNullOrEmpty(line))
            {
                continue;
            }

            Commands.Enqueue(line);
            if (_script.TryDequeue(out var reply))
            {
                await _link.WriteAsync(Encoding.ASCII.GetBytes(reply), _stop.Token);
                Interlocked.Increment(ref _answered);
            }
        }
    }
}
