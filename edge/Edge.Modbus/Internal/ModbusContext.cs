using System.Runtime.InteropServices;

namespace Edge.Modbus.Internal;

/// <summary>
/// Checked proxy over one modbus_t: every call's return code is checked and turned into an exception through
/// <see cref="ModbusErrors"/>. Not thread-safe, like the C object under it: exactly one thread at a time may use an
/// instance (the owning client's worker thread, or the server's serving thread).
/// </summary>
internal sealed unsafe class ModbusContext : IDisposable
{
    private readonly SafeModbusContextHandle _handle;

    private ModbusContext(SafeModbusContextHandle handle, string description)
    {
        _handle = handle;
        Description = description;
    }

    /// <summary>"tcp 127.0.0.1:502" or "rtu /dev/ttyUSB0": for messages and logs.</summary>
    internal string Description { get; }

    internal SafeModbusContextHandle Handle => _handle;

    internal static ModbusContext CreateTcpClient(string host, int port)
    {
        // modbus_new_tcp_pi resolves names and IPv6 with getaddrinfo; modbus_new_tcp only takes dotted IPv4.
        var ctx = Interop.Libmodbus.NewTcpPi(host, port.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return Wrap(ctx, $"tcp {host}:{port}", "modbus_new_tcp_pi");
    }

    internal static ModbusContext CreateTcpServer(string ipv4Address, int port)
    {
        var ctx = Interop.Libmodbus.NewTcp(ipv4Address, port);
        return Wrap(ctx, $"tcp {ipv4Address}:{port}", "modbus_new_tcp");
    }

    internal static ModbusContext CreateRtu(string device, int baudRate, ModbusParity parity, int dataBits, int stopBits)
    {
        var p = parity switch
        {
            ModbusParity.Even => (byte)'E',
            ModbusParity.Odd => (byte)'O',
            _ => (byte)'N',
        };
        var ctx = Interop.Libmodbus.NewRtu(device, baudRate, p, dataBits, stopBits);
        return Wrap(ctx, $"rtu {device}", "modbus_new_rtu");
    }

    private static ModbusContext Wrap(nint ctx, string description, string function)
    {
        if (ctx == nint.Zero)
        {
            throw ModbusErrors.FromLastError($"{function} ({description})", unitId: null);
        }

        var handle = new SafeModbusContextHandle(ctx);
        var context = new ModbusContext(handle, description);
        try
        {
            // Recovery stays ours: libmodbus's LINK mode reconnects and PROTOCOL mode sleeps a whole response
            // timeout inside the call, which would hide the failure from the caller and stall the queue.
            context.Check(Interop.Libmodbus.SetErrorRecovery(handle, 0), "modbus_set_error_recovery", null);
        }
        catch
        {
            context.Dispose();
            throw;
        }

        return context;
    }

    internal void SetTimeouts(TimeSpan response, TimeSpan byteTimeout)
    {
        var (s, us) = Split(response);
        Check(Interop.Libmodbus.SetResponseTimeout(_handle, s, us), "modbus_set_response_timeout", null);
        (s, us) = Split(byteTimeout);
        Check(Interop.Libmodbus.SetByteTimeout(_handle, s, us), "modbus_set_byte_timeout", null);
    }

    /// <summary>
    /// Sets a master's timeouts on a context just created and hands it back; disposes it when that fails, so a
    /// constructor that throws leaks no context.
    /// </summary>
    internal ModbusContext WithTimeouts(TimeSpan response, TimeSpan byteTimeout)
    {
        try
        {
            SetTimeouts(response, byteTimeout);
            return this;
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>0 (zero time) makes modbus_receive wait forever for the first byte of a request.</summary>
    internal void SetIndicationTimeout(TimeSpan timeout)
    {
        var (s, us) = Split(timeout);
        Check(Interop.Libmodbus.SetIndicationTimeout(_handle, s, us), "modbus_set_indication_timeout", null);
    }

    private static (uint Seconds, uint Microseconds) Split(TimeSpan t)
    {
        var totalUs = (long)(t.Ticks / TimeSpan.TicksPerMicrosecond);
        return ((uint)(totalUs / 1_000_000), (uint)(totalUs % 1_000_000));
    }

    /// <summary>Opens the TCP connection or serial port; every failure is a <see cref="ModbusConnectionException"/>.</summary>
    internal void Connect()
    {
        if (Interop.Libmodbus.Connect(_handle) == -1)
        {
            var errno = Marshal.GetLastPInvokeError();
            Close();

            // libmodbus connects without blocking and leaves EINPROGRESS in errno when the response timeout passes.
            if (errno == Interop.Libc.EInProgress)
            {
                errno = Interop.Libc.ETimedOut;
            }

            var text = ModbusErrors.Describe(errno);
            throw new ModbusConnectionException($"connect {Description}: {text} (errno {errno})", errno, text, null);
        }

        EnsureSelectableSocket();
    }

    /// <summary>
    /// libmodbus waits with select(): a descriptor at or above FD_SETSIZE would write past the fd_set on the stack.
    /// Refuse such a connection rather than corrupt memory in a process with very many open files.
    /// </summary>
    internal void EnsureSelectableSocket()
    {
        var fd = Interop.Libmodbus.GetSocket(_handle);
        if (fd >= Interop.Libc.FdSetSize)
        {
            Close();
            throw new ModbusConnectionException(
                $"connect {Description}: descriptor {fd} is not below FD_SETSIZE ({Interop.Libc.FdSetSize}), which libmodbus's select() requires",
                Interop.Libc.EInval,
                "descriptor too large for select()",
                null);
        }
    }

    internal void Close()
    {
        if (Interop.Libmodbus.GetSocket(_handle) >= 0)
        {
            Interop.Libmodbus.Close(_handle);
        }
    }

    /// <summary>Discards bytes already received (and, on a serial port, not yet sent): stale or late replies.</summary>
    internal void Flush()
    {
        if (Interop.Libmodbus.GetSocket(_handle) >= 0 && Interop.Libmodbus.Flush(_handle) == -1)
        {
            throw ModbusErrors.FromLastError($"flush {Description}", null);
        }
    }

    internal void SetSlave(byte unitId) => Check(Interop.Libmodbus.SetSlave(_handle, unitId), "modbus_set_slave", unitId);

    internal int Socket => Interop.Libmodbus.GetSocket(_handle);

    internal void SetSocket(int fd) => Check(Interop.Libmodbus.SetSocket(_handle, fd), "modbus_set_socket", null);

    internal int HeaderLength => Interop.Libmodbus.GetHeaderLength(_handle);

    internal void ReadCoils(byte unitId, ushort address, Span<bool> destination)
    {
        fixed (bool* p = destination)
        {
            // libmodbus stores one bit per byte (0 or 1), the same representation as a .NET bool.
            ExpectCount(Interop.Libmodbus.ReadBits(_handle, address, destination.Length, (byte*)p), destination.Length, "read coils (fc1)", unitId);
        }
    }

    internal void ReadDiscreteInputs(byte unitId, ushort address, Span<bool> destination)
    {
        fixed (bool* p = destination)
        {
            ExpectCount(Interop.Libmodbus.ReadInputBits(_handle, address, destination.Length, (byte*)p), destination.Length, "read discrete inputs (fc2)", unitId);
        }
    }

    internal void ReadHoldingRegisters(byte unitId, ushort address, Span<ushort> destination)
    {
        fixed (ushort* p = destination)
        {
            ExpectCount(Interop.Libmodbus.ReadRegisters(_handle, address, destination.Length, p), destination.Length, "read holding registers (fc3)", unitId);
        }
    }

    internal void ReadInputRegisters(byte unitId, ushort address, Span<ushort> destination)
    {
        fixed (ushort* p = destination)
        {
            ExpectCount(Interop.Libmodbus.ReadInputRegisters(_handle, address, destination.Length, p), destination.Length, "read input registers (fc4)", unitId);
        }
    }

    internal void WriteSingleCoil(byte unitId, ushort address, bool value) =>
        ExpectCount(Interop.Libmodbus.WriteBit(_handle, address, value ? 1 : 0), 1, "write single coil (fc5)", unitId);

    internal void WriteSingleRegister(byte unitId, ushort address, ushort value) =>
        ExpectCount(Interop.Libmodbus.WriteRegister(_handle, address, value), 1, "write single register (fc6)", unitId);

    internal void WriteMultipleCoils(byte unitId, ushort address, ReadOnlySpan<bool> values)
    {
        fixed (bool* p = values)
        {
            ExpectCount(Interop.Libmodbus.WriteBits(_handle, address, values.Length, (byte*)p), values.Length, "write multiple coils (fc15)", unitId);
        }
    }

    internal void WriteMultipleRegisters(byte unitId, ushort address, ReadOnlySpan<ushort> values)
    {
        fixed (ushort* p = values)
        {
            ExpectCount(Interop.Libmodbus.WriteRegisters(_handle, address, values.Length, p), values.Length, "write multiple registers (fc16)", unitId);
        }
    }

    internal void WriteReadMultipleRegisters(byte unitId, ushort writeAddress, ReadOnlySpan<ushort> values, ushort readAddress, Span<ushort> destination)
    {
        fixed (ushort* src = values)
        fixed (ushort* dst = destination)
        {
            var rc = Interop.Libmodbus.WriteAndReadRegisters(_handle, writeAddress, values.Length, src, readAddress, destination.Length, dst);
            ExpectCount(rc, destination.Length, "write and read registers (fc23)", unitId);
        }
    }

    /// <summary>Binds and listens (TCP server); returns the listening descriptor, which the caller owns.</summary>
    internal int TcpListen(int backlog)
    {
        var fd = Interop.Libmodbus.TcpListen(_handle, backlog);
        if (fd == -1)
        {
            throw ModbusErrors.FromLastError($"listen {Description}", null);
        }

        return fd;
    }

    /// <summary>
    /// Accepts one client; the context's socket becomes the client's, and the caller owns the descriptor.
    /// Returns -1 with errno (EAGAIN once a non-blocking listening socket has nobody waiting).
    /// </summary>
    internal int TcpAccept(int listenFd, out int errno)
    {
        var s = listenFd;
        var fd = Interop.Libmodbus.TcpAccept(_handle, &s);
        errno = fd == -1 ? Marshal.GetLastPInvokeError() : 0;
        return fd;
    }

    /// <summary>
    /// Reads one request into <paramref name="buffer"/> (at least <see cref="Interop.Libmodbus.MaxAduLength"/> bytes).
    /// Returns its length, 0 when the request was for another unit, or -1 with errno in <paramref name="errno"/>.
    /// </summary>
    internal int Receive(Span<byte> buffer, out int errno)
    {
        fixed (byte* p = buffer)
        {
            var rc = Interop.Libmodbus.Receive(_handle, p);
            errno = rc == -1 ? Marshal.GetLastPInvokeError() : 0;
            return rc;
        }
    }

    /// <summary>Answers <paramref name="request"/> from <paramref name="mapping"/>; returns -1 with errno on a send failure.</summary>
    internal int Reply(ReadOnlySpan<byte> request, SafeModbusMappingHandle mapping, out int errno)
    {
        fixed (byte* p = request)
        {
            var rc = Interop.Libmodbus.Reply(_handle, p, request.Length, mapping);
            errno = rc == -1 ? Marshal.GetLastPInvokeError() : 0;
            return rc;
        }
    }

    private void ExpectCount(int rc, int expected, string operation, byte unitId)
    {
        if (rc == -1)
        {
            throw ModbusErrors.FromLastError($"{operation} {Description}", unitId);
        }

        if (rc != expected)
        {
            // libmodbus already checks quantities against the request; keep the guarantee explicit for callers.
            throw new ModbusIOException($"{operation} {Description} (unit {unitId}): expected {expected} items, got {rc}", Interop.Libmodbus.EMbBadData, "Invalid data", unitId);
        }
    }

    private void Check(int rc, string operation, byte? unitId)
    {
        if (rc == -1)
        {
            throw ModbusErrors.FromLastError($"{operation} {Description}", unitId);
        }
    }

    public void Dispose() => _handle.Dispose();
}
