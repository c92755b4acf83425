using System.Runtime.InteropServices;
using Microsoft.Extensions.Logging;

namespace Edge.Modbus.Internal;

/// <summary>
/// The serving thread of a Modbus server: waits in poll() on an eventfd (stop), the listening socket or the serial
/// port, and the connected clients; reads each request with modbus_receive on the descriptor that became readable
/// and answers it with modbus_reply under the data store's lock. One libmodbus context serves every client: its
/// socket is pointed at the client being served (modbus_set_socket), which is safe because only this thread uses it.
/// </summary>
internal sealed class ModbusServerLoop : IDisposable
{
    private readonly ModbusContext _context;
    private readonly ModbusDataStore _store;
    private readonly ILogger _logger;
    private readonly SafeFileDescriptorHandle _wake;
    private readonly SafeFileDescriptorHandle? _listen;
    private readonly int _maxClients;
    private readonly List<SafeFileDescriptorHandle> _clients = [];
    private readonly Thread _thread;
    private readonly TaskCompletionSource _stopped = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _disposed;
    private volatile int _clientCount;

    /// <summary>Takes ownership of <paramref name="context"/> and <paramref name="listen"/> (null for a serial port, which the context owns).</summary>
    internal ModbusServerLoop(ModbusContext context, SafeFileDescriptorHandle? listen, int maxClients, ModbusDataStore store, ILogger logger)
    {
        _context = context;
        _listen = listen;
        _maxClients = maxClients;
        _store = store;
        _logger = logger;
        var efd = Interop.Libc.EventFd(0, Interop.Libc.EfdCloexec | Interop.Libc.EfdNonblock);
        if (efd == -1)
        {
            throw ModbusErrors.FromLastError("eventfd", null);
        }

        _wake = new SafeFileDescriptorHandle(efd);
        _thread = new Thread(Run) { IsBackground = true, Name = $"modbus server {context.Description}" };
        _thread.Start();
    }

    internal int ClientCount => _clientCount;

    internal bool IsServing => !_stopped.Task.IsCompleted;

    private unsafe void Run()
    {
        var request = new byte[Interop.Libmodbus.MaxAduLength];
        var fds = new Interop.Libc.PollFd[2 + _maxClients];
        Log.ServerStarted(_logger, _context.Description);
        try
        {
            while (true)
            {
                var n = 0;
                fds[n++] = new() { Fd = _wake.Fd, Events = Interop.Libc.PollIn };
                fds[n++] = new() { Fd = _listen?.Fd ?? _context.Socket, Events = Interop.Libc.PollIn };
                foreach (var c in _clients)
                {
                    fds[n++] = new() { Fd = c.Fd, Events = Interop.Libc.PollIn };
                }

                int rc;
                fixed (Interop.Libc.PollFd* p = fds)
                {
                    rc = Interop.Libc.Poll(p, (nuint)n, -1);
                }

                if (rc == -1)
                {
                    var errno = Marshal.GetLastPInvokeError();
                    if (errno == Interop.Libc.EIntr)
                    {
                        continue;
                    }

                    throw ModbusErrors.FromErrno(errno, $"poll {_context.Description}", null);
                }

                if (fds[0].REvents != 0)
                {
                    return;
                }

                if (fds[1].REvents != 0)
                {
                    if (_listen is null)
                    {
                        ServeSerial(request);
                    }
                    else
                    {
                        Accept();
                    }
                }

                // Walk backwards so closing a client does not shift the ones still to serve.
                for (var i = n - 1; i >= 2; i--)
                {
                    if (fds[i].REvents != 0)
                    {
                        ServeClient(i - 2, request);
                    }
                }
            }
        }
        catch (Exception ex)
        {
            Log.ServerFailed(_logger, _context.Description, ex);
        }
        finally
        {
            foreach (var c in _clients)
            {
                c.Dispose();
            }

            _clients.Clear();
            _clientCount = 0;
            if (_listen is not null)
            {
                // The context's socket still names the last client served, which is closed now: detach it so that
                // freeing the context cannot close a descriptor number that has been reused meanwhile.
                _context.SetSocket(-1);
                _listen.Dispose();
            }

            Log.ServerStopped(_logger, _context.Description);
            _stopped.TrySetResult();
        }
    }

    /// <summary>Accepts every connection waiting (the listening socket is non-blocking), so a burst cannot fill the backlog.</summary>
    private void Accept()
    {
        while (true)
        {
            var fd = _context.TcpAccept(_listen!.Fd, out var errno);
            if (fd == -1)
            {
                if (errno != Interop.Libc.EAgain && errno != Interop.Libc.EIntr)
                {
                    // EMFILE, ENOBUFS…: the connection stays queued and poll() would report it again at once;
                    // pause so a descriptor shortage does not become a busy loop.
                    Log.ServerClientRefused(_logger, _context.Description, $"accept failed with errno {errno}");
                    Thread.Sleep(100);
                }

                // The context's socket is -1 now; harmless, ServeClient sets it per request.
                return;
            }

            var client = new SafeFileDescriptorHandle(fd);
            if (fd >= Interop.Libc.FdSetSize)
            {
                Log.ServerClientRefused(_logger, _context.Description, $"descriptor {fd} is not below FD_SETSIZE, which libmodbus's select() requires");
                client.Dispose();
                continue;
            }

            if (_clients.Count >= _maxClients)
            {
                Log.ServerClientRefused(_logger, _context.Description, $"{_maxClients} clients already connected");
                client.Dispose();
                continue;
            }

            _clients.Add(client);
            _clientCount = _clients.Count;
            Log.ServerClientAccepted(_logger, _context.Description, fd);
        }
    }

    private void ServeClient(int index, byte[] request)
    {
        var client = _clients[index];
        _context.SetSocket(client.Fd);
        var rc = _context.Receive(request, out var errno);
        if (rc > 0)
        {
            rc = _store.Reply(_context, request.AsSpan(0, rc), out errno);
        }

        if (rc == -1)
        {
            // A TCP stream cannot be resynchronized after a bad frame, and ECONNRESET is how libmodbus reports the
            // client's orderly close: either way this client is done.
            Log.ServerClientClosed(_logger, _context.Description, client.Fd, errno);
            _context.SetSocket(-1);
            client.Dispose();
            _clients.RemoveAt(index);
            _clientCount = _clients.Count;
        }
    }

    private void ServeSerial(byte[] request)
    {
        var rc = _context.Receive(request, out var errno);
        if (rc > 0)
        {
            rc = _store.Reply(_context, request.AsSpan(0, rc), out errno);
        }

        if (rc != -1)
        {
            // rc == 0: a request for another unit on the bus; libmodbus then ignores the next frame (that unit's reply).
            return;
        }

        if (ModbusErrors.Classify(errno) is ModbusFailureKind.Link)
        {
            // EIO/EBADF on a tty or pty means the port is gone (USB unplugged, socat stopped): stop serving.
            throw ModbusErrors.FromErrno(errno, $"receive {_context.Description}", null);
        }

        // Garbled or truncated frame: drop what is buffered and wait for the next request's silence-delimited frame.
        Log.ServerRequestDropped(_logger, _context.Description, errno);
        _context.Flush();
    }

    internal unsafe Task StopAsync()
    {
        if (!_wake.IsClosed)
        {
            ulong one = 1;
            _ = Interop.Libc.Write(_wake.Fd, &one, sizeof(ulong));
        }

        return _stopped.Task;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        _ = StopAsync();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
        }

        _wake.Dispose();
        _context.Dispose();
    }

    internal async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await StopAsync();
        _thread.Join();
        _wake.Dispose();
        _context.Dispose();
    }
}
