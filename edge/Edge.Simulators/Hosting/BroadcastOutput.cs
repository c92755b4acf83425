using System.Net;
using System.Net.Sockets;
using Edge.Serial;
using Microsoft.Extensions.Logging;

namespace Edge.Simulators.Hosting;

/// <summary>
/// Where a simulated device sends its bytes: every client connected to a TCP port (as a serial device server would
/// serve them) and/or a serial device path (one end of a socat pty pair, or a real port). A client that cannot keep
/// up or went away is dropped; the device keeps talking, as real indicators do.
/// </summary>
internal sealed class BroadcastOutput : IAsyncDisposable
{
    private readonly TcpListener? _listener;
    private readonly SerialPort? _serial;
    private readonly ILogger _logger;
    private readonly string _name;
    private readonly Lock _lock = new();
    private readonly List<TcpClient> _clients = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public BroadcastOutput(string name, int? tcpPort, string? serialPath, ILogger logger, string bindAddress = "127.0.0.1")
    {
        _name = name;
        _logger = logger;
        if (tcpPort is { } port)
        {
            _listener = new TcpListener(IPAddress.Parse(bindAddress), port);
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            Log.Listening(logger, name, bindAddress, Port.Value);
        }

        if (serialPath is not null)
        {
            _serial = SerialPort.Open(serialPath);
            Log.WritingSerial(logger, name, serialPath);
        }

        _accept = _listener is null ? Task.CompletedTask : Task.Run(AcceptLoopAsync);
    }

    /// <summary>The TCP port (the actual one when 0 was asked for).</summary>
    public int? Port { get; }

    public int ClientCount
    {
        get
        {
            lock (_lock)
            {
                return _clients.Count;
            }
        }
    }

    /// <summary>Sends to every client and the serial port; never throws for a client's failure.</summary>
    public void Send(ReadOnlySpan<byte> data)
    {
        if (_serial is not null)
        {
            try
            {
                _serial.Write(data, TimeSpan.FromMilliseconds(200));
            }
            catch (IOException ex)
            {
                Log.SerialWriteFailed(_logger, _name, ex.Message);
            }
        }

        lock (_lock)
        {
            for (var i = _clients.Count - 1; i >= 0; i--)
            {
                var c = _clients[i];
                try
                {
                    // Non-blocking: a reader that stopped reading must not stall the device for everybody.
                    var sent = c.Client.Send(data, SocketFlags.None, out var error);
                    if (error is not SocketError.Success || sent != data.Length)
                    {
                        throw new SocketException((int)error);
                    }
                }
                catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                {
                    Log.ClientDropped(_logger, _name, ex.Message);
                    c.Dispose();
                    _clients.RemoveAt(i);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener?.Stop();
        try
        {
            await _accept;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        lock (_lock)
        {
            foreach (var c in _clients)
            {
                c.Dispose();
            }

            _clients.Clear();
        }

        if (_serial is not null)
        {
            await _serial.DisposeAsync();
        }

        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener!.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            client.NoDelay = true;
            client.Client.Blocking = false;
            var remote = client.Client.RemoteEndPoint?.ToString() ?? "?";
            Log.ClientConnected(_logger, _name, remote);
            lock (_lock)
            {
                _clients.Add(client);
            }
        }
    }
}
