namespace Edge.Serial.Internal;

/// <summary>What a receive attempt found when it returned no bytes.</summary>
internal enum ReceiveStatus
{
    /// <summary>Bytes were read.</summary>
    Data,

    /// <summary>Nothing to read right now (EAGAIN).</summary>
    NothingYet,

    /// <summary>read() returned 0: end of file, the device hung up.</summary>
    EndOfFile,

    /// <summary>No bytes, and the library cannot tell "nothing yet" from end of file (libserialport returns 0 for both).</summary>
    NoBytesUnknownReason,
}

/// <summary>
/// The device-specific half of a serial port: libserialport for real UARTs and USB adapters, termios for
/// pseudo-terminals (which libserialport 0.1.1 cannot open). Not thread-safe except as noted: one receive thread
/// calls <see cref="Receive"/>; writes and configuration are serialized by the caller.
/// </summary>
internal interface ISerialBackend : IDisposable
{
    /// <summary>"libserialport" or "termios-pty", for logs.</summary>
    string Kind { get; }

    /// <summary>The descriptor the receive thread polls. Valid until <see cref="IDisposable.Dispose"/>.</summary>
    int FileDescriptor { get; }

    /// <summary>True when the line settings data bits and parity are not carried (a pseudo-terminal is 8-bit clean).</summary>
    bool IgnoresCharacterFormat { get; }

    void Apply(SerialPortSettings settings);

    SerialPortSettings ReadBack();

    /// <summary>Reads what is available without blocking. Returns the byte count (0 with a status, or throws).</summary>
    int Receive(Span<byte> buffer, out ReceiveStatus status);

    /// <summary>Writes with a deadline; returns the bytes written (fewer than asked means the time ran out).</summary>
    int Write(ReadOnlySpan<byte> data, int timeoutMs);

    /// <summary>Bytes still queued in the kernel's output buffer.</summary>
    int OutputWaiting();

    /// <summary>Waits until the kernel has transmitted everything (tcdrain).</summary>
    void Drain();

    void DiscardInput();
}
