using System.Runtime.InteropServices;

/// <summary>Owns one POSIX file descriptor opened through <see cref="Interop.Libc.Open"/>.</summary>
internal sealed class SafeFileDescriptorHandle : SafeHandle
{
    public SafeFileDescriptorHandle()
        : base(-1, ownsHandle: true)
    {
    }

    internal SafeFileDescriptorHandle(int fd)
        : base(-1, ownsHandle: true)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    protected override bool ReleaseHandle() => Interop.Libc.Close(handle) == 0;
}
