using System.Runtime.InteropServices;

internal static partial class Interop
{
    /// <summary>
    /// Raw libmodbus 3.1.x entry points (modbus.h, modbus-tcp.h, modbus-rtu.h). Every function that can fail sets
    /// errno, so each import captures it (<c>SetLastError</c>); callers read it with
    /// <see cref="Marshal.GetLastPInvokeError"/> immediately after the call. Nothing outside Interop/ calls these.
    /// </summary>
    internal static unsafe partial class Libmodbus
    {
        /// <summary>errno values at or above this are libmodbus's own (MODBUS_ENOBASE).</summary>
        internal const int ENoBase = 112345678;

        /// <summary>EMBXGTAR, the last protocol exception code mapped into errno.</summary>
        internal const int LastExceptionErrno = ENoBase + 0x0B;

        /// <summary>EMBBADCRC … EMBBADSLAVE: framing and consistency errors detected by libmodbus.</summary>
        internal const int EMbBadCrc = LastExceptionErrno + 1;
        internal const int EMbBadData = LastExceptionErrno + 2;
        internal const int EMbBadExc = LastExceptionErrno + 3;
        internal const int EMbUnkExc = LastExceptionErrno + 4;
        internal const int EMbMData = LastExceptionErrno + 5;
        internal const int EMbBadSlave = LastExceptionErrno + 6;

        internal const int MaxReadBits = 2000;
        internal const int MaxWriteBits = 1968;
        internal const int MaxReadRegisters = 125;
        internal const int MaxWriteRegisters = 123;
        internal const int MaxWriteReadWriteRegisters = 121;
        internal const int MaxWriteReadReadRegisters = 125;

        /// <summary>MODBUS_TCP_MAX_ADU_LENGTH: the largest request modbus_receive can write (RTU's is 256).</summary>
        internal const int MaxAduLength = 260;

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_new_tcp", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial nint NewTcp(string ip, int port);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_new_tcp_pi", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial nint NewTcpPi(string node, string service);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_new_rtu", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
        internal static partial nint NewRtu(string device, int baud, byte parity, int dataBits, int stopBits);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_free")]
        internal static partial void Free(nint ctx);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_connect", SetLastError = true)]
        internal static partial int Connect(SafeModbusContextHandle ctx);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_close")]
        internal static partial void Close(SafeModbusContextHandle ctx);

        /// <summary>For ReleaseHandle, which only has the raw pointer.</summary>
        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_close")]
        internal static partial void Close(nint ctx);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_flush", SetLastError = true)]
        internal static partial int Flush(SafeModbusContextHandle ctx);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_slave", SetLastError = true)]
        internal static partial int SetSlave(SafeModbusContextHandle ctx, int slave);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_error_recovery", SetLastError = true)]
        internal static partial int SetErrorRecovery(SafeModbusContextHandle ctx, int mode);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_get_socket", SetLastError = true)]
        internal static partial int GetSocket(SafeModbusContextHandle ctx);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_get_socket")]
        internal static partial int GetSocket(nint ctx);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_socket", SetLastError = true)]
        internal static partial int SetSocket(SafeModbusContextHandle ctx, int s);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_socket")]
        internal static partial int SetSocket(nint ctx, int s);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_response_timeout", SetLastError = true)]
        internal static partial int SetResponseTimeout(SafeModbusContextHandle ctx, uint seconds, uint microseconds);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_byte_timeout", SetLastError = true)]
        internal static partial int SetByteTimeout(SafeModbusContextHandle ctx, uint seconds, uint microseconds);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_set_indication_timeout", SetLastError = true)]
        internal static partial int SetIndicationTimeout(SafeModbusContextHandle ctx, uint seconds, uint microseconds);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_get_header_length")]
        internal static partial int GetHeaderLength(SafeModbusContextHandle ctx);

        /// <summary>Returns a pointer to static storage (or glibc's strerror buffer); never freed.</summary>
        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_strerror")]
        internal static partial nint StrError(int errnum);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_read_bits", SetLastError = true)]
        internal static partial int ReadBits(SafeModbusContextHandle ctx, int address, int count, byte* destination);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_read_input_bits", SetLastError = true)]
        internal static partial int ReadInputBits(SafeModbusContextHandle ctx, int address, int count, byte* destination);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_read_registers", SetLastError = true)]
        internal static partial int ReadRegisters(SafeModbusContextHandle ctx, int address, int count, ushort* destination);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_read_input_registers", SetLastError = true)]
        internal static partial int ReadInputRegisters(SafeModbusContextHandle ctx, int address, int count, ushort* destination);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_write_bit", SetLastError = true)]
        internal static partial int WriteBit(SafeModbusContextHandle ctx, int address, int status);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_write_register", SetLastError = true)]
        internal static partial int WriteRegister(SafeModbusContextHandle ctx, int address, ushort value);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_write_bits", SetLastError = true)]
        internal static partial int WriteBits(SafeModbusContextHandle ctx, int address, int count, byte* source);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_write_registers", SetLastError = true)]
        internal static partial int WriteRegisters(SafeModbusContextHandle ctx, int address, int count, ushort* source);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_write_and_read_registers", SetLastError = true)]
        internal static partial int WriteAndReadRegisters(
            SafeModbusContextHandle ctx, int writeAddress, int writeCount, ushort* source, int readAddress, int readCount, ushort* destination);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_mapping_new_start_address", SetLastError = true)]
        internal static partial ModbusMapping* MappingNewStartAddress(
            uint startBits, uint bitCount, uint startInputBits, uint inputBitCount,
            uint startRegisters, uint registerCount, uint startInputRegisters, uint inputRegisterCount);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_mapping_free")]
        internal static partial void MappingFree(nint mapping);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_tcp_listen", SetLastError = true)]
        internal static partial int TcpListen(SafeModbusContextHandle ctx, int backlog);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_tcp_accept", SetLastError = true)]
        internal static partial int TcpAccept(SafeModbusContextHandle ctx, int* listenSocket);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_receive", SetLastError = true)]
        internal static partial int Receive(SafeModbusContextHandle ctx, byte* request);

        [LibraryImport(Libraries.Libmodbus, EntryPoint = "modbus_reply", SetLastError = true)]
        internal static partial int Reply(SafeModbusContextHandle ctx, byte* request, int requestLength, SafeModbusMappingHandle mapping);

        /// <summary>modbus_mapping_t from modbus.h: four int pairs, then four table pointers.</summary>
        [StructLayout(LayoutKind.Sequential)]
        internal struct ModbusMapping
        {
            internal int BitCount;
            internal int StartBits;
            internal int InputBitCount;
            internal int StartInputBits;
            internal int InputRegisterCount;
            internal int StartInputRegisters;
            internal int RegisterCount;
            internal int StartRegisters;
            internal byte* Bits;
            internal byte* InputBits;
            internal ushort* InputRegisters;
            internal ushort* Registers;
        }
    }
}
