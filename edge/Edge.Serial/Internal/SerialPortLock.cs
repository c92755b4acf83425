using System.Runtime.InteropServices;

namespace Edge.Serial.Internal;

/// <summary>
/// An advisory exclusive lock on the port's descriptor. Two readers on one scale line would each see half of the
/// frames; flock (the convention minicom, pyserial and lockdev-aware tools honour) makes the second opener fail.
/// TIOCEXCL is not used because root, which the gateway service may run as, bypasses it.
/// </summary>
internal static class SerialPortLock
{
    internal static void Acquire(int fd, string portPath)
    {
        if (Interop.Libc.Flock(fd, Interop.Libc.LockEx | Interop.Libc.LockNb) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            var detail = errno == Interop.Libc.EAgain ? "Another process (or another SerialPort in this one) has the port open." : null;
            throw SerialProxy.SystemError(portPath, "flock", errno, detail);
        }
    }
}
