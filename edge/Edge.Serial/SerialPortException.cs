namespace Edge.Serial;

/// <summary>libserialport's <c>enum sp_return</c> failure codes.</summary>
public enum SerialReturnCode
{
    /// <summary>SP_OK: success.</summary>
    Ok = 0,

    /// <summary>SP_ERR_ARG: invalid argument, or a device libserialport does not recognise.</summary>
    InvalidArgument = -1,

    /// <summary>SP_ERR_FAIL: a system call failed; <see cref="SerialPortException.NativeErrorCode"/> has its errno.</summary>
    Failed = -2,

    /// <summary>SP_ERR_MEM: out of memory.</summary>
    OutOfMemory = -3,

    /// <summary>SP_ERR_SUPP: the operation is not supported by the device or the platform.</summary>
    NotSupported = -4,
}

/// <summary>
/// A serial port operation failed. The message names the port as configured (and the device it resolved to), the
/// operation, the libserialport return code and the operating system's error number and text.
/// </summary>
public class SerialPortException : IOException
{
    /// <summary>Creates an exception with only a message (for serializers and tests).</summary>
    public SerialPortException()
        : this("Serial port operation failed.")
    {
    }

    /// <summary>Creates an exception with only a message.</summary>
    public SerialPortException(string message)
        : base(message)
    {
        PortPath = string.Empty;
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public SerialPortException(string message, Exception innerException)
        : base(message, innerException)
    {
        PortPath = string.Empty;
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception describing a failed native call.</summary>
    public SerialPortException(string portPath, string operation, SerialReturnCode returnCode, int nativeErrorCode, string nativeMessage, string? detail = null, Exception? innerException = null)
        : base(Format(portPath, operation, returnCode, nativeErrorCode, nativeMessage, detail), innerException)
    {
        PortPath = portPath;
        Operation = operation;
        ReturnCode = returnCode;
        NativeErrorCode = nativeErrorCode;
        NativeMessage = nativeMessage;
    }

    /// <summary>A copy of <paramref name="original"/> with its message, for a later caller's own stack trace.</summary>
    private protected SerialPortException(SerialPortException original, string addendum)
        : base($"{original.Message} {addendum}", original)
    {
        PortPath = original.PortPath;
        Operation = original.Operation;
        ReturnCode = original.ReturnCode;
        NativeErrorCode = original.NativeErrorCode;
        NativeMessage = original.NativeMessage;
    }

    /// <summary>The port as the caller named it (e.g. a /dev/serial/by-id link).</summary>
    public string PortPath { get; }

    /// <summary>The native call or step that failed, e.g. "sp_open".</summary>
    public string Operation { get; }

    /// <summary>The libserialport return code (<see cref="SerialReturnCode.Failed"/> for direct system calls).</summary>
    public SerialReturnCode ReturnCode { get; }

    /// <summary>The errno reported with the failure (0 when none applies).</summary>
    public int NativeErrorCode { get; }

    /// <summary>The text libserialport (sp_last_error_message) or the C library gave for the failure.</summary>
    public string NativeMessage { get; }

    private static string Format(string portPath, string operation, SerialReturnCode returnCode, int nativeErrorCode, string nativeMessage, string? detail)
    {
        var code = returnCode switch
        {
            SerialReturnCode.InvalidArgument => "SP_ERR_ARG",
            SerialReturnCode.Failed => "SP_ERR_FAIL",
            SerialReturnCode.OutOfMemory => "SP_ERR_MEM",
            SerialReturnCode.NotSupported => "SP_ERR_SUPP",
            _ => "SP_OK",
        };
        var text = $"Serial port '{portPath}': {operation} failed with {code} ({(int)returnCode}): {nativeMessage} (errno {nativeErrorCode}).";
        return detail is null ? text : $"{text} {detail}";
    }
}

/// <summary>
/// The port went away: the USB adapter was unplugged, the tty hung up, or the far end of a pseudo-terminal (socat)
/// closed. The port object is dead; dispose it and open the port again once the device is back.
/// </summary>
public sealed class SerialPortDisconnectedException : SerialPortException
{
    /// <summary>Creates an exception with only a message.</summary>
    public SerialPortDisconnectedException()
    {
    }

    /// <summary>Creates an exception with only a message.</summary>
    public SerialPortDisconnectedException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public SerialPortDisconnectedException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Reports, to a later caller, a disappearance detected earlier (the original is the inner exception).</summary>
    internal SerialPortDisconnectedException(SerialPortException original)
        : base(original, "(Detected earlier; dispose the port and open it again.)")
    {
    }

    /// <summary>Creates an exception describing how the disappearance was detected.</summary>
    public SerialPortDisconnectedException(string portPath, string operation, int nativeErrorCode, string nativeMessage, string detail, Exception? innerException = null)
        : base(portPath, operation, SerialReturnCode.Failed, nativeErrorCode, nativeMessage, detail, innerException)
    {
    }
}
