using Edge.TestSupport;

namespace Edge.Gpio.Tests;

/// <summary>
/// Calls into the real libgpiod.so.2 that need no GPIO chip. This machine has none (no /dev/gpiochip*, and neither
/// gpio-mockup nor gpio-sim can be loaded), so everything past "open" is in <see cref="GpioHardwareTests"/>.
/// </summary>
public class LibgpiodTests
{
    public LibgpiodTests() => Components.RequireLibrary("libgpiod.so.2", "libgpiod2");

    [Fact]
    public void The_loaded_library_is_libgpiod_1_x_the_v1_API()
    {
        Assert.StartsWith("1.", GpioNativeDiagnostics.LibraryVersion, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("gpiochip97", "gpiod_chip_open_by_name")]
    [InlineData("/dev/gpiochip97", "gpiod_chip_open")]
    [InlineData("97", "gpiod_chip_open_by_number")]
    [InlineData("pinctrl-edge-missing", "gpiod_chip_open_by_label")]
    public void Opening_a_missing_chip_throws_an_IOException_naming_the_chip_and_the_errno_text(string name, string operation)
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open(name));
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Equal(name, ex.Chip);
        Assert.Equal(operation, ex.Operation);
        Assert.Equal(2, ex.NativeErrorCode);
        Assert.Contains($"GPIO chip '{name}'", ex.Message);
        Assert.Contains("No such file or directory", ex.Message);
        Assert.Equal(0, GpioNativeDiagnostics.LiveHandles);
    }

    [Fact]
    public void Opening_a_device_that_is_not_a_GPIO_chip_says_so()
    {
        var ex = Assert.Throws<GpioException>(() => GpioChip.Open("/dev/null"));
        Assert.Equal(25, ex.NativeErrorCode);
        Assert.Contains("/dev/null", ex.Message);
        Assert.Contains("not a GPIO character device", ex.Message);
    }

    [Fact]
    public void Listing_chips_names_only_gpio_chips()
    {
        var chips = GpioChip.ListChips();
        Assert.All(chips, c => Assert.StartsWith("gpiochip", c, StringComparison.Ordinal));
        Assert.Equal(Directory.GetFiles("/dev", "gpiochip*").Length, chips.Count);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public void Ten_thousand_iterator_and_failed_open_cycles_leave_no_handle_and_no_heap_growth()
    {
        // Without a chip, the native objects that can be created are chip iterators (gpiod_chip_iter_new scans
        // /dev and allocates even when it finds nothing) and the allocations of failing opens.
        var fdsBefore = NativeResources.OpenFileDescriptors();
        NativeResources.AssertNoHeapGrowth(_ =>
        {
            GpioChip.ListChips();
            Assert.Throws<GpioException>(() => GpioChip.Open("gpiochip97"));
            Assert.Throws<GpioException>(() => GpioChip.Open("/dev/null"));
        });

        Assert.Equal(0, GpioNativeDiagnostics.LiveHandles);
        Assert.InRange(NativeResources.OpenFileDescriptors() - fdsBefore, -8, 8);
    }
}
