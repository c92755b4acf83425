using Edge.Evdev.Internal;
using Edge.TestSupport;

namespace Edge.Evdev.Tests;

/// <summary>
/// Calls into the real libevdev.so.2 that need no input device. This machine has no /dev/input and no /dev/uinput
/// (the kernel has no uinput and cannot load modules), so reading real events is in <see cref="UinputScannerTests"/>.
/// </summary>
public class LibevdevTests
{
    public LibevdevTests() => Components.RequireLibrary("libevdev.so.2", "libevdev2");

    [Fact]
    public void Opening_a_missing_device_names_it_with_the_errno_text()
    {
        var ex = Assert.Throws<EvdevException>(() => BarcodeScanner.Open("/dev/input/by-id/usb-edge-missing-event-kbd"));
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Equal("open", ex.Operation);
        Assert.Equal(2, ex.NativeErrorCode);
        Assert.Contains("/dev/input/by-id/usb-edge-missing-event-kbd", ex.Message);
        Assert.Contains("No such file or directory", ex.Message);
        Assert.Equal(0, EvdevNativeDiagnostics.LiveHandles);
    }

    [Fact]
    public void Opening_something_that_is_not_an_input_device_is_refused_by_libevdev()
    {
        var ex = Assert.Throws<EvdevException>(() => BarcodeScanner.Open("/dev/null"));
        Assert.Equal("libevdev_new_from_fd", ex.Operation);
        Assert.Equal(25, ex.NativeErrorCode);
        Assert.Contains("not an evdev input device", ex.Message);
        Assert.Equal(0, EvdevNativeDiagnostics.LiveHandles);
    }

    [Fact]
    public void Creating_a_virtual_keyboard_either_yields_an_event_node_or_names_dev_uinput_and_the_reason()
    {
        try
        {
            using var keyboard = VirtualKeyboard.Create("edge-test-keyboard");
            Assert.StartsWith("/dev/input/event", keyboard.DevicePath, StringComparison.Ordinal);
        }
        catch (EvdevException ex)
        {
            Assert.Equal("libevdev_uinput_create_from_device", ex.Operation);
            Assert.Contains("/dev/uinput", ex.Message);
            Assert.Contains(ex.NativeMessage, ex.Message);
        }

        Assert.Equal(0, EvdevNativeDiagnostics.LiveHandles);
    }

    [Fact]
    public void Kernel_key_names_resolve_through_libevdev()
    {
        Assert.Equal("KEY_ENTER", EvdevNames.KeyName(KeyCode.Enter));
        Assert.Equal((int)KeyCode.KpEnter, EvdevNames.KeyCodeFromName("KEY_KPENTER"));
        Assert.Equal(-1, EvdevNames.KeyCodeFromName("KEY_NOT_A_KEY"));
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public void Ten_thousand_device_create_free_and_failed_open_cycles_leave_no_handle_and_no_heap_growth()
    {
        // Without a device, the native objects that can be created are libevdev contexts (libevdev_new with event
        // codes enabled, as the virtual keyboard builds them) and the descriptors and contexts of failing opens.
        var fdsBefore = NativeResources.OpenFileDescriptors();
        NativeResources.AssertNoHeapGrowth(_ =>
        {
            using (VirtualKeyboard.NewTemplate("edge-cycle", KeyboardLayout.UnitedStates))
            {
                Assert.Equal(1, EvdevNativeDiagnostics.LiveHandles);
            }

            Assert.Throws<EvdevException>(() => BarcodeScanner.Open("/dev/null"));
        });

        Assert.Equal(0, EvdevNativeDiagnostics.LiveHandles);
        Assert.InRange(NativeResources.OpenFileDescriptors() - fdsBefore, -8, 8);
    }
}
