namespace Edge.Modbus;

/// <summary>
/// The link failed: connect or open failed (refused, unreachable, no such serial device), or an established
/// connection broke (EPIPE, ECONNRESET, EBADF, EIO…). The connection has been closed; the next request reopens it.
/// </summary>
public sealed class ModbusConnectionException : ModbusIOException
{
    /// <summary>Creates a connection error without native details.</summary>
    public ModbusConnectionException()
    {
    }

    /// <summary>Creates a connection error without native details.</summary>
    public ModbusConnectionException(string message)
        : base(message)
    {
    }

    /// <summary>Creates a connection error without native details.</summary>
    public ModbusConnectionException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates a connection error as libmodbus (or the system call under it) reported it.</summary>
    public ModbusConnectionException(string message, int nativeErrorCode, string nativeMessage, byte? unitId)
        : base(message, nativeErrorCode, nativeMessage, unitId)
    {
    }
}
