namespace Edge.Modbus;

/// <summary>
/// The server answered with a Modbus exception response. The request reached a live device: the connection is fine
/// and nothing is retried or reconnected.
/// </summary>
public sealed class ModbusException : ModbusIOException
{
    /// <summary>Creates an exception response error without native details.</summary>
    public ModbusException()
    {
    }

    /// <summary>Creates an exception response error without native details.</summary>
    public ModbusException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception response error without native details.</summary>
    public ModbusException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the error for exception code <paramref name="exceptionCode"/>, as libmodbus reported it.</summary>
    public ModbusException(string message, ModbusExceptionCode exceptionCode, int nativeErrorCode, string nativeMessage, byte? unitId)
        : base(message, nativeErrorCode, nativeMessage, unitId)
    {
        ExceptionCode = exceptionCode;
    }

    /// <summary>The exception code from the response (errno − MODBUS_ENOBASE).</summary>
    public ModbusExceptionCode ExceptionCode { get; }
}
