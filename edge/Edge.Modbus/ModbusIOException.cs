namespace Edge.Modbus;

/// <summary>
/// A Modbus transaction failed. The base of every error this assembly raises for I/O; carries the errno libmodbus
/// reported and its text. Thrown as-is for framing and consistency errors (bad CRC, response from the wrong unit,
/// mismatched transaction id); the derived types cover exception responses, timeouts and broken connections.
/// </summary>
public class ModbusIOException : IOException
{
    /// <summary>Creates an error with only a message (no native code).</summary>
    public ModbusIOException()
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with only a message (no native code).</summary>
    public ModbusIOException(string message)
        : base(message)
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error with only a message and an inner exception.</summary>
    public ModbusIOException(string message, Exception innerException)
        : base(message, innerException)
    {
        NativeMessage = string.Empty;
    }

    /// <summary>Creates an error from the errno libmodbus set and the text of modbus_strerror for it.</summary>
    public ModbusIOException(string message, int nativeErrorCode, string nativeMessage, byte? unitId)
        : base(message)
    {
        NativeErrorCode = nativeErrorCode;
        NativeMessage = nativeMessage;
        UnitId = unitId;
        HResult = nativeErrorCode;
    }

    /// <summary>errno as libmodbus left it: a system errno, or MODBUS_ENOBASE (112345678) + a libmodbus code.</summary>
    public int NativeErrorCode { get; }

    /// <summary>modbus_strerror's text for <see cref="NativeErrorCode"/>.</summary>
    public string NativeMessage { get; }

    /// <summary>The unit (slave) id the request was addressed to, when the error belongs to a request.</summary>
    public byte? UnitId { get; }
}
