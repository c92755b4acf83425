namespace Edge.Evdev;

/// <summary>
/// An input-device operation failed. The message names the device, the libevdev or system call, and the errno text.
/// </summary>
public class EvdevException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public EvdevException()
        : this("Input device operation failed.")
    {
    }

    /// <summary>Creates an exception with only a message.</summary>
    public EvdevException(string message)
        : base(message)
    {
        DevicePath = string.Empty;
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public EvdevException(string message, Exception innerException)
        : base(message, innerException)
    {
        DevicePath = string.Empty;
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception describing a failed native call.</summary>
    public EvdevException(string devicePath, string operation, int nativeErrorCode, string? detail = null)
        : base(Format(devicePath, operation, nativeErrorCode, detail))
    {
        DevicePath = devicePath;
        Operation = operation;
        NativeErrorCode = nativeErrorCode;
        NativeMessage = Interop.Libc.ErrorText(nativeErrorCode);
    }

    /// <summary>The device as the caller named it, e.g. /dev/input/by-id/usb-…-event-kbd.</summary>
    public string DevicePath { get; }

    /// <summary>The call that failed, e.g. "libevdev_grab".</summary>
    public string Operation { get; }

    /// <summary>The (positive) errno.</summary>
    public int NativeErrorCode { get; }

    /// <summary>strerror text for <see cref="NativeErrorCode"/>.</summary>
    public string NativeMessage { get; }

    private static string Format(string devicePath, string operation, int errno, string? detail)
    {
        var message = $"Input device '{devicePath}': {operation} failed: {Interop.Libc.ErrorText(errno)} (errno {errno}).";
        return detail is null ? message : $"{message} {detail}";
    }
}

/// <summary>
/// The input device went away (libevdev_next_event returned -ENODEV): the scanner was unplugged or its USB hub
/// reset. Dispose the reader and open the device again when it returns.
/// </summary>
public sealed class EvdevDeviceLostException : EvdevException
{
    /// <summary>Creates an exception with a default message.</summary>
    public EvdevDeviceLostException()
    {
    }

    /// <summary>Creates an exception with only a message.</summary>
    public EvdevDeviceLostException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public EvdevDeviceLostException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates an exception for a device that disappeared during <paramref name="operation"/>.</summary>
    public EvdevDeviceLostException(string devicePath, string operation)
        : base(devicePath, operation, Interop.Libc.ENodev, "The device disappeared (unplugged?).")
    {
    }
}
