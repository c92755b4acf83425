using Edge.Serial;
using Microsoft.Extensions.Logging;

namespace Edge.Devices;

/// <summary>
/// A serial port (Edge.Serial) as an <see cref="IByteChannel"/>: for RS-232/485 indicators, scanners and RFID readers.
/// </summary>
/// <remarks>
/// <see cref="SerialPort.ReadAsync"/> returns 0 when its timeout passes with nothing received; this source keeps
/// waiting instead, because in this assembly 0 means "the stream ended" and silence is judged by the driver
/// (<see cref="Scales.ScaleOptions.SilenceTimeout"/>). An unplugged adapter throws
/// <see cref="SerialPortDisconnectedException"/>, an <see cref="IOException"/>, and the driver reopens the port.
/// </remarks>
public sealed class SerialByteSource : IByteChannel
{
    private static readonly TimeSpan s_readSlice = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan s_writeTimeout = TimeSpan.FromSeconds(2);
    private readonly SerialPort _port;

    /// <summary>Wraps an open port; disposing this source closes it.</summary>
    /// <param name="port">The port.</param>
    public SerialByteSource(SerialPort port)
    {
        ArgumentNullException.ThrowIfNull(port);
        _port = port;
    }

    /// <summary>A factory that opens <paramref name="path"/> with <paramref name="settings"/> on each call.</summary>
    /// <param name="path">The device path, e.g. <c>/dev/serial/by-id/usb-FTDI…</c>.</param>
    /// <param name="settings">Baud rate, parity, data and stop bits (e.g. 9600 7E1 for a Toledo terminal).</param>
    /// <param name="logger">The binding's logger.</param>
    /// <param name="timeProvider">The binding's clock.</param>
    /// <returns>The factory for a driver's <c>RunAsync</c>.</returns>
    public static ByteSourceFactory Factory(string path, SerialPortSettings settings, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(settings);
        return cancellationToken =>
        {
            cancellationToken.ThrowIfCancellationRequested();
            return ValueTask.FromResult<IByteSource>(new SerialByteSource(SerialPort.Open(path, settings, logger, timeProvider)));
        };
    }

    /// <inheritdoc/>
    public async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            var n = await _port.ReadAsync(buffer, s_readSlice, cancellationToken).ConfigureAwait(false);
            if (n > 0 || buffer.IsEmpty)
            {
                return n;
            }
        }
    }

    /// <inheritdoc/>
    public ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken) =>
        new(_port.WriteAsync(data, s_writeTimeout, cancellationToken));

    /// <inheritdoc/>
    public ValueTask DisposeAsync() => _port.DisposeAsync();
}
