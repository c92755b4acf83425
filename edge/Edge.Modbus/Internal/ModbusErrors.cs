using System.Runtime.InteropServices;

namespace Edge.Modbus.Internal;

/// <summary>How a failed transaction leaves the link, deciding what the connection owner does next.</summary>
internal enum ModbusFailureKind
{
    /// <summary>The device answered with an exception response; the link is healthy.</summary>
    ExceptionResponse,

    /// <summary>Response or byte timeout.</summary>
    Timeout,

    /// <summary>Bytes arrived but did not form the expected reply (CRC, wrong unit, wrong transaction id).</summary>
    Framing,

    /// <summary>The descriptor is unusable (reset, broken pipe, device gone) or could not be opened.</summary>
    Link,

    /// <summary>libmodbus rejected the arguments (a bug here: requests are validated before any I/O).</summary>
    Usage,
}

/// <summary>The one place errno values from libmodbus become exceptions.</summary>
internal static class ModbusErrors
{
    /// <summary>Reads errno of the last P/Invoke on this thread and throws the matching exception.</summary>
    internal static ModbusIOException FromLastError(string operation, byte? unitId)
        => FromErrno(Marshal.GetLastPInvokeError(), operation, unitId);

    internal static ModbusIOException FromErrno(int errno, string operation, byte? unitId)
    {
        var text = Describe(errno);
        var unit = unitId is { } u ? $" (unit {u})" : string.Empty;
        switch (Classify(errno))
        {
            case ModbusFailureKind.ExceptionResponse:
                var code = (ModbusExceptionCode)(errno - Interop.Libmodbus.ENoBase);
                return new ModbusException($"{operation}{unit}: exception response {(byte)code} {code} ({text})", code, errno, text, unitId);
            case ModbusFailureKind.Timeout:
                return new ModbusTimeoutException($"{operation}{unit}: timed out ({text})", errno, text, unitId);
            case ModbusFailureKind.Link:
                return new ModbusConnectionException($"{operation}{unit}: link failed: {text} (errno {errno})", errno, text, unitId);
            default:
                return new ModbusIOException($"{operation}{unit}: {text} (errno {errno})", errno, text, unitId);
        }
    }

    internal static ModbusFailureKind Classify(int errno)
    {
        if (errno > Interop.Libmodbus.ENoBase && errno <= Interop.Libmodbus.LastExceptionErrno)
        {
            return ModbusFailureKind.ExceptionResponse;
        }

        if (errno == Interop.Libc.ETimedOut)
        {
            return ModbusFailureKind.Timeout;
        }

        if (errno is Interop.Libc.EInval or Interop.Libmodbus.EMbMData)
        {
            return ModbusFailureKind.Usage;
        }

        // Everything libmodbus itself detected in the bytes (EMBBADCRC … EMBBADSLAVE).
        if (errno >= Interop.Libmodbus.EMbBadCrc)
        {
            return ModbusFailureKind.Framing;
        }

        // Any other system errno out of send/recv/read/write/select means the descriptor cannot be trusted:
        // EPIPE, ECONNRESET (libmodbus also reports a peer's orderly close this way), EBADF, EIO (USB adapter
        // unplugged), ENOTCONN, ECONNREFUSED, EHOSTUNREACH…
        return ModbusFailureKind.Link;
    }

    internal static string Describe(int errno)
    {
        var text = Marshal.PtrToStringUTF8(Interop.Libmodbus.StrError(errno));
        return string.IsNullOrEmpty(text) ? $"errno {errno}" : text;
    }
}
