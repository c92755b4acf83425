using System.Diagnostics;
using System.Text;
using Edge.TestSupport;

namespace Edge.Serial.Tests;

/// <summary>The serial port against real socat pseudo-terminal pairs.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class PseudoTerminalTests
{
    [Fact]
    public async Task A_CRLF_frame_written_by_the_far_end_is_read_as_one_line()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath, new SerialPortSettings { BaudRate = 9600 });
        await using var farEnd = pty.OpenFarEnd();

        await farEnd.WriteAsync(Encoding.ASCII.GetBytes("ST,GS,+0012.50kg\r\nST,NT,+0012.40kg\r\n"));

        Assert.Equal("ST,GS,+0012.50kg", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
        Assert.Equal("ST,NT,+0012.40kg", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
        Assert.True(port.IsPseudoTerminal);
        Assert.StartsWith("/dev/pts/", port.DevicePath, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_frame_arriving_in_pieces_is_assembled_by_ReadFrameAsync()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);
        await using var farEnd = pty.OpenFarEnd();

        var read = port.ReadFrameAsync("\r\n"u8.ToArray(), TimeSpan.FromSeconds(5)).AsTask();
        foreach (var piece in new[] { "  12", "5.5 k", "g G\r", "\n" })
        {
            await farEnd.WriteAsync(Encoding.ASCII.GetBytes(piece));
            await Task.Delay(30);
        }

        Assert.Equal("  125.5 kg G", Encoding.ASCII.GetString((await read)!));
    }

    [Fact]
    public async Task A_read_with_nothing_arriving_times_out_after_about_the_timeout()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);

        var watch = Stopwatch.StartNew();
        var line = await port.ReadLineAsync(TimeSpan.FromMilliseconds(300));
        watch.Stop();

        Assert.Null(line);
        Assert.InRange(watch.ElapsedMilliseconds, 280, 1500);

        watch.Restart();
        var count = await port.ReadAsync(new byte[8], TimeSpan.FromMilliseconds(200));
        Assert.Equal(0, count);
        Assert.InRange(watch.ElapsedMilliseconds, 180, 1500);
    }

    [Fact]
    public async Task Bytes_written_by_the_port_arrive_at_the_far_end()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);
        await using var farEnd = pty.OpenFarEnd();

        await port.WriteAsync("P\r\n"u8.ToArray(), TimeSpan.FromSeconds(2));
        port.Drain(TimeSpan.FromSeconds(2));

        var received = new byte[3];
        var got = 0;
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        while (got < 3)
        {
            got += await farEnd.ReadAsync(received.AsMemory(got), cts.Token);
        }

        Assert.Equal("P\r\n"u8.ToArray(), received);
    }

    [Theory]
    [InlineData(2400, 7, SerialParity.Even, SerialStopBits.Two, SerialFlowControl.RtsCts)]
    [InlineData(19200, 8, SerialParity.Mark, SerialStopBits.One, SerialFlowControl.XonXoff)]
    [InlineData(115200, 8, SerialParity.None, SerialStopBits.One, SerialFlowControl.None)]
    public async Task Configuring_baud_parity_stop_bits_and_flow_control_on_a_pty_works(int baud, int dataBits, SerialParity parity, SerialStopBits stopBits, SerialFlowControl flow)
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);
        var wanted = new SerialPortSettings { BaudRate = baud, DataBits = dataBits, Parity = parity, StopBits = stopBits, FlowControl = flow };

        port.Configure(wanted);

        var actual = port.ReadBackSettings();
        Assert.Equal(baud, actual.BaudRate);
        Assert.Equal(stopBits, actual.StopBits);
        Assert.Equal(flow, actual.FlowControl);

        // The Linux pty driver forces CS8 and no parity: a pty carries bytes, not framed bits.
        Assert.Equal(8, actual.DataBits);
        Assert.Equal(SerialParity.None, actual.Parity);
        Assert.Equal(wanted, port.Settings);

        await using var farEnd = pty.OpenFarEnd();
        await farEnd.WriteAsync("still flowing\n"u8.ToArray());
        Assert.Equal("still flowing", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task Killing_socat_fails_a_pending_read_with_a_disconnect_naming_the_port_within_seconds()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);
        var pending = port.ReadLineAsync(TimeSpan.FromMinutes(1)).AsTask();
        await Task.Delay(100);

        var watch = Stopwatch.StartNew();
        pty.Kill();
        var ex = await Assert.ThrowsAsync<SerialPortDisconnectedException>(() => pending.WaitAsync(TimeSpan.FromSeconds(10)));
        watch.Stop();

        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"took {watch.Elapsed}");
        Assert.Equal(pty.PortPath, ex.PortPath);
        Assert.Contains(pty.PortPath, ex.Message);
        Assert.Contains("disappeared", ex.Message);
        Assert.False(port.IsConnected);
    }

    [Fact]
    public async Task After_socat_dies_reads_and_writes_keep_failing_clearly_instead_of_returning_nothing()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);
        pty.Kill();

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (port.IsConnected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(10);
        }

        await Assert.ThrowsAsync<SerialPortDisconnectedException>(async () => await port.ReadAsync(new byte[8], TimeSpan.FromSeconds(1)));
        await Assert.ThrowsAsync<SerialPortDisconnectedException>(async () => await port.ReadLineAsync(TimeSpan.FromSeconds(1)));
        var write = Assert.Throws<SerialPortDisconnectedException>(() => port.Write("P\r\n"u8, TimeSpan.FromSeconds(1)));
        Assert.Contains(pty.PortPath, write.Message);

        // Re-opening the dead link fails too, naming it (the symlink dangles once socat is gone).
        var reopen = Assert.Throws<SerialPortException>(() => SerialPort.Open(pty.PortPath));
        Assert.Contains(pty.PortPath, reopen.Message);
        Assert.Contains("no longer exists", reopen.Message);
        Assert.Equal(2, reopen.NativeErrorCode);
    }

    [Fact]
    public async Task Bytes_received_before_the_far_end_vanished_are_still_delivered_first()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var port = SerialPort.Open(pty.PortPath);
        await using (var farEnd = pty.OpenFarEnd())
        {
            await farEnd.WriteAsync("last weight 880 kg\r\n"u8.ToArray());
        }

        // Kill socat only once the receive thread has the bytes (it reads eagerly, long before anyone asks).
        Assert.True(SpinWait.SpinUntil(() => port.QueuedChunks > 0, TimeSpan.FromSeconds(5)));
        pty.Kill();

        Assert.Equal("last weight 880 kg", await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
        await Assert.ThrowsAsync<SerialPortDisconnectedException>(async () => await port.ReadLineAsync(TimeSpan.FromSeconds(5)));
    }

    [Fact]
    public async Task A_second_open_of_the_same_port_is_refused_because_two_readers_would_split_the_frames()
    {
        using var pty = await SocatPtyPair.StartAsync();
        await using var first = SerialPort.Open(pty.PortPath);

        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Open(pty.PortPath));
        Assert.Equal("flock", ex.Operation);
        Assert.Contains(pty.PortPath, ex.Message);
        Assert.Contains("Another process", ex.Message);
    }

    [Fact]
    public async Task Ten_thousand_open_close_cycles_on_a_pty_leave_no_handle_descriptor_or_heap_growth()
    {
        // 10,000 full cycles (realpath, open, flock, tcsetattr, read-back, eventfd, receive thread, close) take a
        // few seconds on a pty, so the full count from the requirement is used.
        using var pty = await SocatPtyPair.StartAsync();
        var fdsBefore = NativeResources.OpenFileDescriptors();
        var watch = Stopwatch.StartNew();
        NativeResources.AssertNoHeapGrowth(_ =>
        {
            using var port = SerialPort.Open(pty.PortPath);
            Assert.Equal(2, SerialNativeDiagnostics.LiveHandles);
        });
        watch.Stop();

        Assert.Equal(0, SerialNativeDiagnostics.LiveHandles);
        Assert.InRange(NativeResources.OpenFileDescriptors() - fdsBefore, -8, 8);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"10,000 cycles took {watch.Elapsed}");
    }
}
