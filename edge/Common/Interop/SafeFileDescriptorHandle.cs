/// <summary>Owns one Unix file descriptor (a device node, a pseudo-terminal, a socket or an eventfd).</summary>
internal sealed class SafeFileDescriptorHandle(int fd) : SafeNativeHandle(fd, -1)
{
    /// <summary>The descriptor number; valid only while the handle is alive.</summary>
    internal int Fd => (int)handle;

    // close() is not retried and its result is ignored: on Linux the descriptor is released even when close reports
    // EINTR or EIO, and a retry could close a descriptor another thread has just been given.
    protected override void Free() => _ = Interop.Libc.Close((int)handle);
}
