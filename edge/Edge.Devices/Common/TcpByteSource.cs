using System.Net.Sockets;

namespace Edge.Devices;

/// <summary>
/// A TCP connection as an <see cref="IByteChannel"/>: for serial-to-Ethernet converters in front of indicators and
/// for network scanners and RFID readers that send one code per line.
/// </summary>
public sealed class TcpByteSource : IByteChannel
{
    private readonly Socket _socket;

    private TcpByteSource(Socket socket)
    {
        _socket = socket;
    }

    /// <summary>A factory that connects to <paramref name="host"/>:<paramref name="port"/> on each call.</summary>
    /// <param name="host">The host name or address.</param>
    /// <param name="port">The TCP port.</param>
    /// <param name="connectTimeout">How long a connect may take.</param>
    /// <returns>The factory for a driver's <c>RunAsync</c>.</returns>
    public static ByteSourceFactory Factory(string host, int port, TimeSpan connectTimeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        ArgumentOutOfRangeException.ThrowIfLessThan(port, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(connectTimeout, TimeSpan.Zero);
        return async cancellationToken =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
                timeout.CancelAfter(connectTimeout);
                try
                {
                    await socket.ConnectAsync(host, port, timeout.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw new IOException($"Connecting to {host}:{port} took longer than {connectTimeout}.");
                }

                // A peer that vanishes without a FIN (power cut, cable pulled) is noticed by the driver's silence
                // timeout; keep-alive also tears the socket down eventually for links that are legitimately quiet.
                socket.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.KeepAlive, true);
                return new TcpByteSource(socket);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        };
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException ex)
        {
            throw new IOException($"TCP receive failed: {ex.SocketErrorCode}.", ex);
        }
    }

    /// <inheritdoc/>
    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        try
        {
            while (!data.IsEmpty)
            {
                var n = await _socket.SendAsync(data, SocketFlags.None, cancellationToken).ConfigureAwait(false);
                data = data[n..];
            }
        }
        catch (SocketException ex)
        {
            throw new IOException($"TCP send failed: {ex.SocketErrorCode}.", ex);
        }
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _socket.Dispose();
        return ValueTask.CompletedTask;
    }
}
