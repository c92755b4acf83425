namespace Edge.Serial;

/// <summary>Owns one libserialport <c>struct sp_port</c>: closes it if it was opened, then frees it.</summary>
internal sealed class SafeSerialPortHandle(IntPtr port) : SafeNativeHandle(port, IntPtr.Zero)
{
    private volatile bool _opened;

    /// <summary>Set once sp_open succeeded, so that release knows to sp_close first.</summary>
    internal void MarkOpened() => _opened = true;

    protected override void Free()
    {
        if (_opened)
        {
            // The return code is deliberately ignored: nothing useful can be done about a failed close while releasing.
            _ = Interop.Libserialport.Close(handle);
        }

        Interop.Libserialport.FreePort(handle);
    }
}

/// <summary>Owns one libserialport <c>struct sp_port_config</c>.</summary>
internal sealed class SafeSerialConfigHandle(IntPtr config) : SafeNativeHandle(config, IntPtr.Zero)
{
    protected override void Free() => Interop.Libserialport.FreeConfig(handle);
}
