using System.Net;
using System.Net.Sockets;
using System.Text;
using Edge.Contracts;
using Edge.Devices.Scales;
using Edge.Devices.Scanners;
using Edge.Devices.Tests.Scales;
using Edge.Devices.Tests.Support;
using Edge.Serial;
using Edge.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace Edge.Devices.Tests.Integration;

/// <summary>Scale and scanner drivers over real transports: a socat pty pair through Edge.Serial, and loopback TCP.</summary>
[Trait(Traits.Category, Traits.Integration)]
public class IndicatorStreamIntegrationTests
{
    [Fact]
    public async Task Toledo_terminal_on_a_serial_line_yields_a_stable_weight()
    {
        Components.RequireLibrary("libserialport.so.0", "libserialport0");
        using var ptys = await SocatPtys.StartAsync();
        var options = new ScaleOptions
        {
            DeviceId = "wb1",
            Protocol = ScaleProtocol.MettlerToledoContinuous,
            Stability = new StabilityOptions { MinSamples = 5, ToleranceKg = 10, MinDuration = TimeSpan.FromMilliseconds(300) },
        };
        var scale = ScaleFactory.CreateStreamScale(options, SerialByteSource.Factory(ptys.Host, new SerialPortSettings { BaudRate = 9600 }), TimeProvider.System, NullLogger.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = scale.RunAsync(cts.Token);

        // The "terminal": continuous output at ~20 frames a second, a truck driving on, then settling at 24,560 kg.
        var terminal = Task.Run(async () =>
        {
            await using var port = SerialPort.Open(ptys.Device, new SerialPortSettings { BaudRate = 9600 });
            string[] weights = ["003000", "012000", "021000", "024400", "024580", .. Enumerable.Repeat("024560", 40)];
            foreach (var w in weights)
            {
                var motion = w != "024560";
                var frame = MettlerToledoContinuousParserTests.Frame(
                    MettlerToledoContinuousParserTests.StatusA(2),
                    MettlerToledoContinuousParserTests.StatusB(motion: motion),
                    0x20,
                    w,
                    "000000");
                await port.WriteAsync(frame, TimeSpan.FromSeconds(1), cts.Token);
                await Task.Delay(50, cts.Token);
            }
        });

        var stable = await scale.WaitForStableAsync(TimeSpan.FromSeconds(20), cts.Token);
        Assert.NotNull(stable);
        Assert.Equal(24560, stable.Value.WeightKg);
        Assert.False(stable.Value.Motion);
        Assert.Equal(0, scale.Counters.TotalRejected);

        await terminal;
        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task A12_indicator_behind_a_tcp_converter_is_read_and_reconnected()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var options = new ScaleOptions
        {
            DeviceId = "platform1",
            Protocol = ScaleProtocol.Xk3190A12,
            Backoff = new BackoffOptions { Initial = TimeSpan.FromMilliseconds(50) },
        };
        var scale = ScaleFactory.CreateStreamScale(options, TcpByteSource.Factory("127.0.0.1", port, TimeSpan.FromSeconds(2)), TimeProvider.System, NullLogger.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = scale.RunAsync(cts.Token);

        // First connection: one good frame and one with a flipped checksum, then the converter drops the link.
        using (var first = await listener.AcceptSocketAsync(cts.Token))
        {
            await first.SendAsync(Encoding.ASCII.GetBytes("WG004.139kg3D\r\nWG004.139kg3E\r\n"), cts.Token);
            await Wait.UntilAsync(() => scale.Counters.Accepted == 1 && scale.Counters[FrameRejection.ChecksumMismatch] == 1, "first frames");
        }

        using var second = await listener.AcceptSocketAsync(cts.Token);
        await second.SendAsync(Encoding.ASCII.GetBytes(Xk3190A12ParserTests.WithChecksum("WN012.500kg") + "\r\n"), cts.Token);
        await Wait.UntilAsync(() => scale.Counters.Accepted == 2, "frame after reconnect");

        Assert.Equal(12.5, scale.CurrentSample!.Value.WeightKg);
        Assert.Equal(WeightMode.Net, scale.CurrentSample!.Value.Mode);

        await cts.CancelAsync();
        await run;
    }

    [Fact]
    public async Task Rfid_reader_over_tcp_reports_each_tag_once()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var scanner = new Scanner(
            new ScannerOptions { DeviceId = "rfid1", Station = "gate1", Tech = ScanTech.Rfid, Source = ScannerSource.Tcp },
            TimeProvider.System,
            NullLogger.Instance);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var run = scanner.RunAsync(TcpByteSource.Factory("127.0.0.1", port, TimeSpan.FromSeconds(2)), cts.Token);

        using var reader = await listener.AcceptSocketAsync(cts.Token);
        var lines = string.Concat(Enumerable.Repeat("E20034120123456789ABCDEF\r\n", 10)) + "3034257BF7194E4000000001\r\n";
        await reader.SendAsync(Encoding.ASCII.GetBytes(lines), cts.Token);
        await Wait.UntilAsync(() => scanner.Processor.Accepted == 2, "two tags");

        Assert.Equal(9, scanner.Processor.Suppressed);
        await cts.CancelAsync();
        await run;
    }
}
