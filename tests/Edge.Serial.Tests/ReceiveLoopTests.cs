using Edge.Serial.Internal;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Serial.Tests;

/// <summary>The receive thread and read API over a scripted backend (no device).</summary>
public class ReceiveLoopTests
{
    private static SerialPort Start(ScriptedBackend backend) =>
        SerialPort.Start("/dev/ttyFAKE0", "/dev/ttyFAKE0", backend, new SerialPortSettings(), NullLogger.Instance, TimeProvider.System);

    [Fact]
    public async Task Repeated_zero_byte_reads_on_a_readable_descriptor_are_reported_as_a_disconnect()
    {
        // libserialport returns 0 both for "nothing yet" and for end of file; three in a row after poll said
        // "readable" only happens at end of file.
        var backend = new ScriptedBackend();
        await using var port = Start(backend);
        backend.EnqueueData("W 12.5\r\n");
        for (var i = 0; i < 3; i++)
        {
            backend.EnqueueZeroRead(ReceiveStatus.NoBytesUnknownReason);
        }

        Assert.Equal("W 12.5", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
        var ex = await Assert.ThrowsAsync<SerialPortDisconnectedException>(async () => await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
        Assert.Contains("/dev/ttyFAKE0", ex.Message);
        Assert.Contains("yields no data", ex.Message);
        Assert.False(port.IsConnected);
        Assert.Throws<SerialPortDisconnectedException>(() => port.Write("P\r\n"u8, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task A_single_spurious_zero_read_is_not_a_disconnect()
    {
        var backend = new ScriptedBackend();
        await using var port = Start(backend);
        backend.EnqueueZeroRead(ReceiveStatus.NoBytesUnknownReason);
        backend.EnqueueData("OK\r\n");
        Assert.Equal("OK", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
        Assert.True(port.IsConnected);
    }

    [Fact]
    public async Task An_I_O_error_from_the_device_completes_reads_with_that_error()
    {
        var backend = new ScriptedBackend();
        await using var port = Start(backend);
        backend.EnqueueError(new SerialPortDisconnectedException("/dev/ttyFAKE0", "sp_nonblocking_read", 5, "Input/output error", "unplugged"));
        var ex = await Assert.ThrowsAsync<SerialPortDisconnectedException>(async () => await port.ReadAsync(new byte[16], TimeSpan.FromSeconds(5)));
        Assert.Equal(5, ex.NativeErrorCode);
        Assert.Contains("Input/output error", ex.Message);
    }

    [Fact]
    public async Task Cancellation_ends_a_long_read_promptly_and_loses_no_data()
    {
        var backend = new ScriptedBackend();
        await using var port = Start(backend);
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));
        var started = DateTime.UtcNow;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await port.ReadLineAsync(TimeSpan.FromMinutes(1), cancellationToken: cts.Token));
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2));

        backend.EnqueueData("after\r\n");
        Assert.Equal("after", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Overlapping_reads_are_refused()
    {
        var backend = new ScriptedBackend();
        await using var port = Start(backend);
        var first = port.ReadLineAsync(TimeSpan.FromSeconds(5));
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await port.ReadLineAsync(TimeSpan.FromSeconds(1)));
        backend.EnqueueData("x\n");
        Assert.Equal("x", await first);
    }

    [Fact]
    public async Task Dispose_stops_the_receive_thread_and_disposes_the_backend()
    {
        var backend = new ScriptedBackend();
        var port = Start(backend);
        var pending = port.ReadAsync(new byte[4], TimeSpan.FromMinutes(1)).AsTask();
        port.Dispose();
        await Assert.ThrowsAsync<ObjectDisposedException>(() => pending);
        Assert.True(backend.Disposed);
        Assert.Throws<ObjectDisposedException>(() => port.Write("x"u8, TimeSpan.FromSeconds(1)));
    }

    [Fact]
    public async Task Reading_a_frame_with_a_custom_delimiter_keeps_partial_bytes_across_timeouts()
    {
        var backend = new ScriptedBackend();
        await using var port = Start(backend);
        backend.EnqueueData("\u0002+001250");
        Assert.Null(await port.ReadFrameAsync("\u0003"u8.ToArray(), TimeSpan.FromMilliseconds(100)));
        backend.EnqueueData("\u0003");
        var frame = await port.ReadFrameAsync("\u0003"u8.ToArray(), TimeSpan.FromSeconds(5));
        Assert.Equal("\u0002+001250"u8.ToArray(), frame);
    }

    [Fact]
    public async Task Settings_the_driver_does_not_keep_are_refused_naming_the_field()
    {
        var backend = new RefusingBackend();
        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Start("/dev/ttyFAKE1", "/dev/ttyFAKE1", backend, new SerialPortSettings { Parity = SerialParity.Mark }, NullLogger.Instance, TimeProvider.System));
        Assert.Contains("Parity None", ex.Message);
        Assert.Contains("/dev/ttyFAKE1", ex.Message);
        Assert.True(backend.Disposed);
        await Task.CompletedTask;
    }

    private sealed class RefusingBackend : ISerialBackend
    {
        public string Kind => "refusing";

        public int FileDescriptor => -1;

        public bool IgnoresCharacterFormat => false;

        public bool Disposed { get; private set; }

        public void Apply(SerialPortSettings settings)
        {
        }

        public SerialPortSettings ReadBack() => new();

        public int Receive(Span<byte> buffer, out ReceiveStatus status) => throw new NotSupportedException();

        public int Write(ReadOnlySpan<byte> data, int timeoutMs) => throw new NotSupportedException();

        public int OutputWaiting() => 0;

        public void Drain()
        {
        }

        public void DiscardInput()
        {
        }

        public void Dispose() => Disposed = true;
    }
}
