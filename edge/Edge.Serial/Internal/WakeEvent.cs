using System.Runtime.InteropServices;

namespace Edge.Serial.Internal;

/// <summary>An eventfd that a poll loop watches beside its device, so that another thread can wake it at once.</summary>
internal sealed unsafe class WakeEvent : IDisposable
{
    private readonly SafeFileDescriptorHandle _fd;

    private WakeEvent(SafeFileDescriptorHandle fd) => _fd = fd;

    /// <summary>Valid until disposed.</summary>
    internal int Fd => _fd.Fd;

    internal static WakeEvent Create(string portPath)
    {
        var fd = Interop.Libc.EventFd(0, Interop.Libc.EfdCloexec | Interop.Libc.EfdNonblock);
        if (fd < 0)
        {
            throw SerialProxy.SystemError(portPath, "eventfd", Marshal.GetLastPInvokeError());
        }

        return new WakeEvent(new SafeFileDescriptorHandle(fd));
    }

    /// <summary>Makes the descriptor readable until <see cref="Reset"/>.</summary>
    internal void Signal()
    {
        ulong one = 1;
        var added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            _ = Interop.Libc.Write(_fd.Fd, (byte*)&one, sizeof(ulong));
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    /// <summary>Makes the descriptor unreadable again.</summary>
    internal void Reset()
    {
        ulong value;
        var added = false;
        try
        {
            _fd.DangerousAddRef(ref added);
            _ = Interop.Libc.Read(_fd.Fd, (byte*)&value, sizeof(ulong));
        }
        finally
        {
            if (added)
            {
                _fd.DangerousRelease();
            }
        }
    }

    public void Dispose() => _fd.Dispose();
}
