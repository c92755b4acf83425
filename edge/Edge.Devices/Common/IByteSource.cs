namespace Edge.Devices;

/// <summary>
/// A stream of bytes from a device: a serial port, a TCP socket or a test double. The seam between the
/// transport bindings (Edge.Serial, sockets) and the protocol logic in this assembly.
/// </summary>
/// <remarks>
/// Concurrency contract: one reader at a time. <see cref="ReadAsync"/> may return fewer bytes than asked; it
/// returns 0 only when the stream has ended (the port or socket closed) and throws <see cref="IOException"/> on a
/// transport failure. A driver that sees either reopens the source through its factory.
/// </remarks>
public interface IByteSource : IAsyncDisposable
{
    /// <summary>Reads at least one byte, waiting as long as needed.</summary>
    /// <param name="buffer">Where to put the bytes.</param>
    /// <param name="cancellationToken">Stops the wait.</param>
    /// <returns>How many bytes were read; 0 when the stream has ended.</returns>
    ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken);
}

/// <summary>A byte source that also accepts bytes for the device, e.g. the MT-SICS <c>SI</c> request.</summary>
public interface IByteChannel : IByteSource
{
    /// <summary>Writes all of <paramref name="data"/> to the device.</summary>
    /// <param name="data">The bytes to send.</param>
    /// <param name="cancellationToken">Stops the write.</param>
    /// <returns>A task that completes when the bytes were handed to the transport.</returns>
    ValueTask WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken);
}

/// <summary>Opens (or reopens after a failure) the byte source of one device.</summary>
/// <param name="cancellationToken">Stops the open.</param>
/// <returns>The opened source; the caller disposes it.</returns>
public delegate ValueTask<IByteSource> ByteSourceFactory(CancellationToken cancellationToken);
