namespace Edge.Modbus;

/// <summary>
/// No (complete) response arrived within the response timeout, or bytes stopped arriving for longer than the byte
/// timeout (errno ETIMEDOUT). On RTU the unit is silent or dead; on TCP the connection is dropped and reopened on the
/// next request, so a late answer can never be taken for the reply to a later request.
/// </summary>
public sealed class ModbusTimeoutException : ModbusIOException
{
    /// <summary>Creates a timeout error without native details.</summary>
    public ModbusTimeoutException()
    {
    }

    /// <summary>Creates a timeout error without native details.</summary>
    public ModbusTimeoutException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a timeout error without native details.</summary>
    public ModbusTimeoutException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a timeout error as libmodbus reported it.</summary>
    public ModbusTimeoutException(string message, int nativeErrorCode, string nativeMessage, byte? unitId)
        : base(message, nativeErrorCode, nativeMessage, unitId)
    {
    }
}
