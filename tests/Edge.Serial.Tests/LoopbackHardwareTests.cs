using System.Diagnostics;
using Edge.TestSupport;

namespace Edge.Serial.Tests;

/// <summary>
/// The libserialport path on a real port: a USB-serial adapter (or the Pi's UART) with TX wired to RX and RTS to CTS.
/// The port is EDGE_SERIAL_LOOPBACK (default /dev/ttyUSB0); a /dev/serial/by-id link works too. Unplug detection on
/// real hardware is checked by hand (see README): pull the adapter while `ReadLineAsync` waits.
/// </summary>
[Trait(Traits.Category, Traits.Hardware)]
public class LoopbackHardwareTests
{
    private static readonly string s_port = Environment.GetEnvironmentVariable("EDGE_SERIAL_LOOPBACK") ?? "/dev/ttyUSB0";

    [Theory]
    [InlineData(2400, 7, SerialParity.Even, SerialStopBits.One, SerialFlowControl.None)]
    [InlineData(9600, 8, SerialParity.None, SerialStopBits.Two, SerialFlowControl.XonXoff)]
    [InlineData(19200, 7, SerialParity.Mark, SerialStopBits.One, SerialFlowControl.None)]
    [InlineData(115200, 8, SerialParity.Odd, SerialStopBits.One, SerialFlowControl.RtsCts)]
    public void Every_setting_is_applied_and_read_back_by_libserialport(int baud, int dataBits, SerialParity parity, SerialStopBits stop, SerialFlowControl flow)
    {
        var wanted = new SerialPortSettings { BaudRate = baud, DataBits = dataBits, Parity = parity, StopBits = stop, FlowControl = flow };
        using var port = SerialPort.Open(s_port, wanted);
        Assert.False(port.IsPseudoTerminal);
        Assert.Equal(wanted, port.ReadBackSettings());
    }

    [Fact]
    public async Task A_frame_written_to_a_looped_back_port_is_read_back_as_a_line()
    {
        await using var port = SerialPort.Open(s_port, new SerialPortSettings { BaudRate = 9600, FlowControl = SerialFlowControl.RtsCts });
        port.DiscardInput();
        port.Write("ST,GS,+0012.50kg\r\n"u8, TimeSpan.FromSeconds(1));
        port.Drain(TimeSpan.FromSeconds(1));
        Assert.Equal("ST,GS,+0012.50kg", await port.ReadLineAsync(TimeSpan.FromSeconds(2)));
    }

    [Fact]
    public async Task A_read_on_a_quiet_real_port_times_out_after_about_the_timeout()
    {
        await using var port = SerialPort.Open(s_port);
        port.DiscardInput();
        var watch = Stopwatch.StartNew();
        Assert.Null(await port.ReadLineAsync(TimeSpan.FromMilliseconds(300)));
        Assert.InRange(watch.ElapsedMilliseconds, 280, 1500);
    }

    [Fact]
    public async Task Two_thousand_open_close_cycles_on_a_real_port_leave_no_handle_and_no_heap_growth()
    {
        // Each cycle on a USB adapter costs several USB control transfers (open, tcsetattr, read-back, close), a few
        // milliseconds each, so 2,000 cycles (about a minute) stand in for 10,000; the heap check still needs a
        // leak of only 16 bytes per cycle to fail.
        NativeResources.AssertNoHeapGrowth(_ => SerialPort.Open(s_port).Dispose(), warmUp: 200, windows: 9, cyclesPerWindow: 200, maxBytesPerCycle: 16);
        Assert.Equal(0, SerialNativeDiagnostics.LiveHandles);
        await Task.CompletedTask;
    }
}
