using System.Runtime.InteropServices;

namespace Edge.Outbox.Internal;

/// <summary>
/// The checked layer over <see cref="Interop.Libc"/>: every failing call becomes an <see cref="IOException"/> that
/// carries errno and its text. This is the single error-translation point for libc in this assembly.
/// </summary>
internal static class LibcProxy
{
    /// <summary>
    /// fsync(2) on a directory, so that a rename or a newly created file inside it survives a power cut. A rename is
    /// atomic for readers at once, but only durable once the directory entry itself reached the disk.
    /// </summary>
    internal static void FsyncDirectory(string directory)
    {
        int fd;
        do
        {
            fd = Interop.Libc.Open(directory, Interop.Libc.ORdOnly | Interop.Libc.OCloexec);
        }
        while (fd < 0 && Marshal.GetLastPInvokeError() == Interop.Libc.EIntr);

        if (fd < 0)
        {
            throw Error("open", directory);
        }

        using var handle = new SafeFileDescriptorHandle(fd);
        if (Interop.Libc.FSync(handle) != 0)
        {
            throw Error("fsync", directory);
        }
    }

    /// <summary>The kernel's clock state from adjtimex(2) in read-only mode (TIME_OK = 0 … TIME_ERROR = 5).</summary>
    internal static int ReadClockState()
    {
        var buffer = default(Interop.Libc.TimexBuffer);
        var state = Interop.Libc.Adjtimex(ref buffer);
        if (state < 0)
        {
            throw Error("adjtimex", "CLOCK_REALTIME");
        }

        return state;
    }

    private static NativeIOException Error(string call, string subject)
    {
        var errno = Marshal.GetLastPInvokeError();
        var text = Marshal.GetPInvokeErrorMessage(errno);
        return new NativeIOException($"{call}({subject}) failed: {text} (errno {errno}).", errno, text);
    }
}

/// <summary>A failed libc call, with errno and its text.</summary>
internal sealed class NativeIOException : IOException
{
    internal NativeIOException(string message, int nativeErrorCode, string nativeMessage)
        : base(message)
    {
        NativeErrorCode = nativeErrorCode;
        NativeMessage = nativeMessage;
        HResult = nativeErrorCode;
    }

    /// <summary>errno.</summary>
    public int NativeErrorCode { get; }

    /// <summary>strerror's text for <see cref="NativeErrorCode"/>.</summary>
    public string NativeMessage { get; }
}
