using System.Runtime.InteropServices;

namespace Edge.Serial;

/// <summary>
/// The one place where libserialport and libc failures become <see cref="SerialPortException"/>s. libserialport keeps
/// its error state in errno, so the text is captured on the failing thread immediately after the call.
/// </summary>
internal static unsafe class SerialProxy
{
    /// <summary>Throws when <paramref name="result"/> is a negative <c>sp_return</c>; otherwise returns it.</summary>
    internal static int Check(int result, string portPath, string operation)
    {
        if (result < 0)
        {
            throw LibraryError(result, portPath, operation);
        }

        return result;
    }

    internal static SerialPortException LibraryError(int result, string portPath, string operation, string? detail = null)
    {
        var returnCode = (SerialReturnCode)result;
        var errno = 0;
        var message = "libserialport gave no reason";
        if (returnCode == SerialReturnCode.Failed)
        {
            // sp_last_error_* are only defined after SP_ERR_FAIL (libserialport.h, "Errors").
            errno = Interop.Libserialport.LastErrorCode();
            message = LastErrorMessage();
        }
        else if (returnCode == SerialReturnCode.InvalidArgument)
        {
            // For SP_ERR_ARG libserialport writes its reason only to its debug handler; errno may still explain it.
            errno = Marshal.GetLastSystemError();
            message = errno == 0
                ? "libserialport rejected the argument (for sp_get_port_by_name: no /sys/class/tty entry for this device)"
                : Interop.Libc.ErrorText(errno);
        }
        else if (returnCode == SerialReturnCode.NotSupported)
        {
            message = "not supported by this device or platform";
        }
        else if (returnCode == SerialReturnCode.OutOfMemory)
        {
            message = "out of memory";
        }

        if (errno is Interop.Libc.EIo or Interop.Libc.ENxio or Interop.Libc.ENodev)
        {
            return new SerialPortDisconnectedException(portPath, operation, errno, message, detail ?? "The device is gone (I/O error, hung up or unplugged).");
        }

        return new SerialPortException(portPath, operation, returnCode, errno, message, detail);
    }

    /// <summary>A failed libc call on a port, from the errno captured by the marshaller.</summary>
    internal static SerialPortException SystemError(string portPath, string operation, int errno, string? detail = null)
    {
        var message = Interop.Libc.ErrorText(errno);
        if (errno is Interop.Libc.EIo or Interop.Libc.ENxio or Interop.Libc.ENodev)
        {
            return new SerialPortDisconnectedException(portPath, operation, errno, message, detail ?? "The device is gone (I/O error, hung up or unplugged).");
        }

        return new SerialPortException(portPath, operation, SerialReturnCode.Failed, errno, message, detail);
    }

    internal static string PackageVersion()
    {
        var text = Interop.Libserialport.GetPackageVersionString();
        return text is null ? "unknown" : Marshal.PtrToStringUTF8((IntPtr)text) ?? "unknown";
    }

    private static string LastErrorMessage()
    {
        var text = Interop.Libserialport.LastErrorMessage();
        if (text is null)
        {
            return "unknown error";
        }

        try
        {
            return Marshal.PtrToStringUTF8((IntPtr)text) ?? "unknown error";
        }
        finally
        {
            Interop.Libserialport.FreeErrorMessage(text);
        }
    }
}
