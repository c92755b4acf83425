using System.Net.Sockets;
using Edge.Devices;
using Edge.Gateway.Options;
using Edge.Serial;
using Microsoft.Extensions.Logging;

namespace Edge.Gateway.Devices;

/// <summary>Opens the byte stream of a serial or TCP device for the Edge.Devices drivers.</summary>
internal static class ByteSources
{
    public static ByteSourceFactory For(ConnectionOptions c, ILogger logger, TimeProvider time) => c.Kind switch
    {
        ConnectionKinds.Tcp => ct => TcpByteSource.OpenAsync(c.Host!, c.Port, ct),
        ConnectionKinds.Serial => ct => new ValueTask<IByteSource>(SerialByteSource.Open(c, logger, time)),
        _ => throw new ArgumentOutOfRangeException(nameof(c), c.Kind, "Not a byte-stream connection."),
    };
}

/// <summary>A TCP connection to an indicator or scanner (serial device servers, network scanners).</summary>
internal sealed class TcpByteSource : IByteChannel
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private TcpByteSource(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async ValueTask<IByteSource> OpenAsync(string host, int port, CancellationToken cancellationToken)
    {
        var client = new TcpClient { NoDelay = true };
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(TimeSpan.FromSeconds(10));
            await client.ConnectAsync(host, port, timeout.Token);
            return new TcpByteSource(client);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        try
        {
            return await _stream.ReadAsync(buffer, cancellationToken);
        }
        catch (SocketException ex)
        {
            throw new IOException(ex.Message, ex);
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        await _stream.WriteAsync(data, cancellationToken);

    public ValueTask DisposeAsync()
    {
        _stream.Dispose();
        _client.Dispose();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A serial port (RS-232/485 adapter or a socat pty) through Edge.Serial.</summary>
internal sealed class SerialByteSource : IByteChannel
{
    private static readonly TimeSpan s_readSlice = TimeSpan.FromSeconds(1);
    private readonly SerialPort _port;

    private SerialByteSource(SerialPort port)
    {
        _port = port;
    }

    public static IByteSource Open(ConnectionOptions c, ILogger logger, TimeProvider time) =>
        new SerialByteSource(SerialPort.Open(c.Path!, DeviceOptionMapping.SerialSettings(c), logger, time));

    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        // Edge.Serial answers 0 when its timeout passes; a byte source answers 0 only at the end of the stream, so
        // wait in slices until something arrives (the driver's own silence timeout decides when a line is dead).
        while (true)
        {
            var n = await _port.ReadAsync(buffer, s_readSlice, cancellationToken);
            if (n > 0)
            {
                return n;
            }
        }
    }

    public async ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        await _port.WriteAsync(data, TimeSpan.FromSeconds(2), cancellationToken);

    public ValueTask DisposeAsync() => _port.DisposeAsync();
}
