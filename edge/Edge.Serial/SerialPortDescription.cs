using System.Runtime.InteropServices;

namespace Edge.Serial;

/// <summary>How a port is attached (libserialport's <c>enum sp_transport</c>).</summary>
public enum SerialTransport
{
    /// <summary>A native UART.</summary>
    Native = 0,

    /// <summary>A USB-serial adapter.</summary>
    Usb = 1,

    /// <summary>A Bluetooth RFCOMM port.</summary>
    Bluetooth = 2,
}

/// <summary>A serial port found by libserialport (sp_list_ports).</summary>
/// <param name="Name">Device path, e.g. /dev/ttyUSB0.</param>
/// <param name="Description">Human-readable description from the driver or USB descriptors.</param>
/// <param name="Transport">How the port is attached.</param>
/// <param name="UsbVendorId">USB vendor id for USB adapters, otherwise null.</param>
/// <param name="UsbProductId">USB product id for USB adapters, otherwise null.</param>
public sealed record SerialPortDescription(string Name, string Description, SerialTransport Transport, int? UsbVendorId, int? UsbProductId)
{
    /// <summary>Looks one port up (sp_get_port_by_name) without opening it.</summary>
    internal static SerialPortDescription Describe(string path)
    {
        var devicePath = Interop.Libc.TryRealPath(path, out _) ?? path;
        SerialProxy.Check(Interop.Libserialport.GetPortByName(devicePath, out var raw), path, "sp_get_port_by_name");
        using var port = new SafeSerialPortHandle(raw);
        var added = false;
        try
        {
            port.DangerousAddRef(ref added);
            return FromPort(port.DangerousGetHandle());
        }
        finally
        {
            if (added)
            {
                port.DangerousRelease();
            }
        }
    }

    internal static unsafe IReadOnlyList<SerialPortDescription> List()
    {
        SerialProxy.Check(Interop.Libserialport.ListPorts(out var list), "(all ports)", "sp_list_ports");
        SerialNativeDiagnostics.HandleCreated();
        try
        {
            var result = new List<SerialPortDescription>();
            for (var i = 0; list[i] != IntPtr.Zero; i++)
            {
                result.Add(FromPort(list[i]));
            }

            return result;
        }
        finally
        {
            Interop.Libserialport.FreePortList(list);
            SerialNativeDiagnostics.HandleReleased();
        }
    }

    private static unsafe SerialPortDescription FromPort(IntPtr port)
    {
        var name = Marshal.PtrToStringUTF8((IntPtr)Interop.Libserialport.GetPortName(port)) ?? string.Empty;
        var description = Marshal.PtrToStringUTF8((IntPtr)Interop.Libserialport.GetPortDescription(port)) ?? string.Empty;
        var transport = (SerialTransport)Interop.Libserialport.GetPortTransport(port);
        int? vid = null;
        int? pid = null;
        if (transport == SerialTransport.Usb && Interop.Libserialport.GetPortUsbVidPid(port, out var v, out var p) == Interop.Libserialport.SpOk)
        {
            vid = v;
            pid = p;
        }

        return new SerialPortDescription(name, description, transport, vid, pid);
    }
}
