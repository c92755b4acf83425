namespace Edge.Gpio;

/// <summary>
/// A GPIO operation failed. The message names the chip, the line (when there is one), the libgpiod call and the
/// operating system's error number and text.
/// </summary>
public class GpioException : IOException
{
    /// <summary>Creates an exception with a default message.</summary>
    public GpioException()
        : this("GPIO operation failed.")
    {
    }

    /// <summary>Creates an exception with only a message.</summary>
    public GpioException(string message)
        : base(message)
    {
        Chip = string.Empty;
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception with a message and the exception that caused it.</summary>
    public GpioException(string message, Exception innerException)
        : base(message, innerException)
    {
        Chip = string.Empty;
        Operation = string.Empty;
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an exception describing a failed native call.</summary>
    public GpioException(string chip, int? offset, string operation, int nativeErrorCode, string nativeMessage, string? detail = null)
        : base(Format(chip, offset, operation, nativeErrorCode, nativeMessage, detail))
    {
        Chip = chip;
        Offset = offset;
        Operation = operation;
        NativeErrorCode = nativeErrorCode;
        NativeMessage = nativeMessage;
    }

    /// <summary>The chip as the caller named it (name, path, label or number).</summary>
    public string Chip { get; }

    /// <summary>The line offset, when the failure concerns one line.</summary>
    public int? Offset { get; }

    /// <summary>The libgpiod call that failed, e.g. "gpiod_line_request".</summary>
    public string Operation { get; }

    /// <summary>errno reported by libgpiod.</summary>
    public int NativeErrorCode { get; }

    /// <summary>strerror text for <see cref="NativeErrorCode"/>.</summary>
    public string NativeMessage { get; }

    private static string Format(string chip, int? offset, string operation, int errno, string text, string? detail)
    {
        var where = offset is { } o ? $"GPIO chip '{chip}' line {o}" : $"GPIO chip '{chip}'";
        var message = $"{where}: {operation} failed: {text} (errno {errno}).";
        return detail is null ? message : $"{message} {detail}";
    }
}
