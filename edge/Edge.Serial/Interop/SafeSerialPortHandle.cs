using System.Runtime.InteropServices;

namespace Edge.Serial;

/// <summary>Owns one libserialport <c>struct sp_port</c>: closes it if it was opened, then frees it.</summary>
internal sealed class SafeSerialPortHandle : SafeHandle
{
    private volatile bool _opened;

    public SafeSerialPortHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeSerialPortHandle(IntPtr port)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(port);
        SerialNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    /// <summary>Set once sp_open succeeded, so that release knows to sp_close first.</summary>
    internal void MarkOpened() => _opened = true;

    protected override bool ReleaseHandle()
    {
        if (_opened)
        {
            // The return code is deliberately ignored: nothing useful can be done about a failed close while releasing.
            _ = Interop.Libserialport.Close(handle);
        }

        Interop.Libserialport.FreePort(handle);
        SerialNativeDiagnostics.HandleReleased();
        return true;
    }
}

/// <summary>Owns one libserialport <c>struct sp_port_config</c>.</summary>
internal sealed class SafeSerialConfigHandle : SafeHandle
{
    public SafeSerialConfigHandle()
        : base(IntPtr.Zero, ownsHandle: true)
    {
    }

    internal SafeSerialConfigHandle(IntPtr config)
        : base(IntPtr.Zero, ownsHandle: true)
    {
        SetHandle(config);
        SerialNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle == IntPtr.Zero;

    protected override bool ReleaseHandle()
    {
        Interop.Libserialport.FreeConfig(handle);
        SerialNativeDiagnostics.HandleReleased();
        return true;
    }
}

/// <summary>Owns one Unix file descriptor (a pseudo-terminal or an eventfd).</summary>
internal sealed class SafeUnixFileDescriptor : SafeHandle
{
    public SafeUnixFileDescriptor()
        : base(new IntPtr(-1), ownsHandle: true)
    {
    }

    internal SafeUnixFileDescriptor(int fd)
        : base(new IntPtr(-1), ownsHandle: true)
    {
        SetHandle(new IntPtr(fd));
        SerialNativeDiagnostics.HandleCreated();
    }

    public override bool IsInvalid => handle.ToInt64() < 0;

    /// <summary>The descriptor number; valid only while the handle is alive.</summary>
    internal int Fd => (int)handle.ToInt64();

    protected override bool ReleaseHandle()
    {
        // close() is not retried on EINTR: on Linux the descriptor is released even when close reports EINTR.
        _ = Interop.Libc.Close((int)handle.ToInt64());
        SerialNativeDiagnostics.HandleReleased();
        return true;
    }
}
