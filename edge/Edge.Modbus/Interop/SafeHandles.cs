using System.Runtime.InteropServices;
using Edge.Modbus;

/// <summary>
/// Owns one modbus_t. Release closes the connection (if any) and frees the context. The descriptor is looked up
/// rather than trusted to libmodbus: modbus_close on a context without a socket must not close descriptor -1, and
/// the server detaches client sockets it closed itself (see <c>ModbusServerLoop</c>) before the context is freed.
/// </summary>
internal sealed class SafeModbusContextHandle : SafeHandle
{
    internal SafeModbusContextHandle(nint context)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle(context);
        if (context != nint.Zero)
        {
            ModbusNativeDiagnostics.ContextCreated();
        }
    }

    public override bool IsInvalid => handle == nint.Zero;

    protected override bool ReleaseHandle()
    {
        if (Interop.Libmodbus.GetSocket(handle) >= 0)
        {
            Interop.Libmodbus.Close(handle);
        }

        Interop.Libmodbus.Free(handle);
        ModbusNativeDiagnostics.ContextReleased();
        return true;
    }
}

/// <summary>Owns one modbus_mapping_t (the four tables a server replies from).</summary>
internal sealed unsafe class SafeModbusMappingHandle : SafeHandle
{
    internal SafeModbusMappingHandle(Interop.Libmodbus.ModbusMapping* mapping)
        : base(nint.Zero, ownsHandle: true)
    {
        SetHandle((nint)mapping);
        if (mapping is not null)
        {
            ModbusNativeDiagnostics.MappingCreated();
        }
    }

    public override bool IsInvalid => handle == nint.Zero;

    /// <summary>The native struct; valid while the handle is alive (callers hold a DangerousAddRef or the owner's lock).</summary>
    internal Interop.Libmodbus.ModbusMapping* Mapping => (Interop.Libmodbus.ModbusMapping*)handle;

    protected override bool ReleaseHandle()
    {
        Interop.Libmodbus.MappingFree(handle);
        ModbusNativeDiagnostics.MappingReleased();
        return true;
    }
}
