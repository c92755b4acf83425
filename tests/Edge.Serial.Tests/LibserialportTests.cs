using Edge.TestSupport;

namespace Edge.Serial.Tests;

/// <summary>Calls into the real libserialport.so.0 that need no serial hardware.</summary>
public class LibserialportTests
{
    public LibserialportTests() => Components.RequireLibrary("libserialport.so.0", "libserialport0");

    [Fact]
    public void Library_reports_its_package_version()
    {
        Assert.Matches(@"^\d+\.\d+\.\d+", SerialNativeDiagnostics.LibraryVersion);
    }

    [Fact]
    public void Opening_a_missing_device_names_the_port_the_sp_return_code_and_the_error_text()
    {
        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Open("/dev/ttyUSB-edge-missing"));
        Assert.Equal("/dev/ttyUSB-edge-missing", ex.PortPath);
        Assert.Equal("sp_get_port_by_name", ex.Operation);
        Assert.Equal(SerialReturnCode.InvalidArgument, ex.ReturnCode);
        Assert.Contains("/dev/ttyUSB-edge-missing", ex.Message);
        Assert.Contains("SP_ERR_ARG (-1)", ex.Message);
        Assert.Contains("No such file or directory", ex.Message);
        Assert.IsAssignableFrom<IOException>(ex);
        Assert.Equal(0, SerialNativeDiagnostics.LiveHandles);
    }

    [Fact]
    public void Describing_a_missing_device_fails_with_the_port_name()
    {
        var ex = Assert.Throws<SerialPortException>(() => SerialPort.Describe("/dev/ttyACM-edge-missing"));
        Assert.Contains("/dev/ttyACM-edge-missing", ex.Message);
    }

    [Fact]
    public void Listing_ports_returns_device_paths_only()
    {
        var ports = SerialPort.ListPorts();
        Assert.All(ports, p => Assert.StartsWith("/dev/", p.Name, StringComparison.Ordinal));
        Assert.DoesNotContain(ports, p => p.Name.StartsWith("/dev/pts/", StringComparison.Ordinal));
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public void Ten_thousand_lookups_and_listings_leave_no_native_handle_and_no_heap_growth()
    {
        var listed = SerialPort.ListPorts().Select(p => p.Name).ToArray();
        void Cycle(int i)
        {
            Assert.Throws<SerialPortException>(() => SerialPort.Describe("/dev/ttyUSB-edge-missing"));
            if (listed.Length > 0)
            {
                // Lookup only (sysfs), never an open: the first port here may be the VM's console.
                Assert.Equal(listed[i % listed.Length], SerialPort.Describe(listed[i % listed.Length]).Name);
            }

            if (i % 10 == 0)
            {
                SerialPort.ListPorts();
            }
        }

        var fdsBefore = NativeResources.OpenFileDescriptors();
        NativeResources.AssertNoHeapGrowth(Cycle);
        Assert.Equal(0, SerialNativeDiagnostics.LiveHandles);
        Assert.InRange(NativeResources.OpenFileDescriptors() - fdsBefore, -8, 8);
    }
}
