using System.Diagnostics;
using Edge.Evdev.Internal;
using Edge.TestSupport;

namespace Edge.Evdev.Tests;

/// <summary>
/// Real key events end to end: a uinput virtual keyboard types, libevdev reads. Needs /dev/uinput (the uinput module)
/// and permission to open input devices, which a Raspberry Pi gateway has and this build VM does not.
/// </summary>
[Trait(Traits.Category, Traits.Hardware)]
public class UinputScannerTests
{
    private static async Task<ScanOutcome> Next(BarcodeScanner scanner, TimeSpan? timeout = null)
    {
        // WaitToReadAsync rethrows the exception the channel was completed with (ReadAsync would wrap it).
        using var cts = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(5));
        while (await scanner.Outcomes.WaitToReadAsync(cts.Token))
        {
            if (scanner.Outcomes.TryRead(out var outcome))
            {
                return outcome;
            }
        }

        throw new InvalidOperationException("the outcomes ended without an error");
    }

    private static async Task<VirtualKeyboard> CreateKeyboardAsync(KeyboardLayout? layout = null)
    {
        var keyboard = VirtualKeyboard.Create("Edge Test Scanner", layout);

        // udev needs a moment to create the node and set its permissions.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(5);
        while (!File.Exists(keyboard.DevicePath) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        await Task.Delay(200);
        return keyboard;
    }

    [Fact]
    public async Task Text_typed_on_a_virtual_keyboard_is_read_back_as_one_scan()
    {
        using var keyboard = await CreateKeyboardAsync();
        await using var scanner = BarcodeScanner.Open(keyboard.DevicePath);

        keyboard.Type("LOT-2024/07 A1");

        Assert.Equal("LOT-2024/07 A1", Assert.IsType<BarcodeScan>(await Next(scanner)).Text);
        Assert.Equal("Edge Test Scanner", scanner.Name);
    }

    [Fact]
    public async Task A_German_scanner_decoded_with_the_German_layout_reads_correctly()
    {
        using var keyboard = await CreateKeyboardAsync(KeyboardLayout.German);
        await using var scanner = BarcodeScanner.Open(keyboard.DevicePath, KeyboardLayout.German);
        keyboard.Type("Zähler@Y");
        Assert.Equal("Zähler@Y", Assert.IsType<BarcodeScan>(await Next(scanner)).Text);
    }

    [Fact]
    public async Task The_device_is_grabbed_exclusively_so_a_second_reader_is_refused()
    {
        using var keyboard = await CreateKeyboardAsync();
        await using var first = BarcodeScanner.Open(keyboard.DevicePath);

        var ex = Assert.Throws<EvdevException>(() => BarcodeScanner.Open(keyboard.DevicePath));
        Assert.Equal("libevdev_grab", ex.Operation);
        Assert.Equal(16, ex.NativeErrorCode);
        Assert.Contains(keyboard.DevicePath, ex.Message);
    }

    [Fact]
    public async Task Destroying_the_virtual_keyboard_reports_the_device_lost_within_a_second()
    {
        var keyboard = await CreateKeyboardAsync();
        await using var scanner = BarcodeScanner.Open(keyboard.DevicePath);

        var watch = Stopwatch.StartNew();
        keyboard.Dispose();
        var ex = await Assert.ThrowsAsync<EvdevDeviceLostException>(async () => await Next(scanner, TimeSpan.FromSeconds(5)));
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
        Assert.Contains(keyboard.DevicePath, ex.Message);
    }

    [Fact]
    public async Task Ten_thousand_open_grab_close_cycles_leave_no_handle_and_no_heap_growth()
    {
        using var keyboard = await CreateKeyboardAsync();
        NativeResources.AssertNoHeapGrowth(_ =>
        {
            using var source = LibevdevSource.Open(keyboard.DevicePath, grab: true);
        });
        Assert.Equal(2, EvdevNativeDiagnostics.LiveHandles);
    }
}
