using System.Runtime.InteropServices;
using Edge.Serial;

internal static partial class Interop
{
    /// <summary>Raw libserialport 0.1.1 entry points (libserialport.h). Nothing here checks a return code.</summary>
    internal static unsafe partial class Libserialport
    {
        internal const int SpOk = 0;
        internal const int SpErrArg = -1;
        internal const int SpErrFail = -2;
        internal const int SpErrMem = -3;
        internal const int SpErrSupp = -4;

        internal const int SpModeReadWrite = 3;

        internal const int SpBufInput = 1;

        internal const int SpFlowcontrolNone = 0;
        internal const int SpFlowcontrolXonXoff = 1;
        internal const int SpFlowcontrolRtsCts = 2;

        internal const int SpRtsFlowControl = 2;
        internal const int SpCtsFlowControl = 1;
        internal const int SpXonXoffInOut = 3;

        internal const int SpTransportNative = 0;
        internal const int SpTransportUsb = 1;
        internal const int SpTransportBluetooth = 2;

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_port_by_name", StringMarshalling = StringMarshalling.Utf8)]
        internal static partial int GetPortByName(string portName, out IntPtr port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_free_port")]
        internal static partial void FreePort(IntPtr port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_list_ports")]
        internal static partial int ListPorts(out IntPtr* list);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_free_port_list")]
        internal static partial void FreePortList(IntPtr* list);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_port_name")]
        internal static partial byte* GetPortName(IntPtr port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_port_description")]
        internal static partial byte* GetPortDescription(IntPtr port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_port_transport")]
        internal static partial int GetPortTransport(IntPtr port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_port_usb_vid_pid")]
        internal static partial int GetPortUsbVidPid(IntPtr port, out int vid, out int pid);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_open")]
        internal static partial int Open(SafeSerialPortHandle port, int mode);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_close")]
        internal static partial int Close(IntPtr port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_port_handle")]
        internal static partial int GetPortHandle(SafeSerialPortHandle port, out int fd);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_new_config")]
        internal static partial int NewConfig(out IntPtr config);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_free_config")]
        internal static partial void FreeConfig(IntPtr config);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config")]
        internal static partial int GetConfig(SafeSerialPortHandle port, SafeSerialConfigHandle config);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_set_config")]
        internal static partial int SetConfig(SafeSerialPortHandle port, SafeSerialConfigHandle config);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_set_config_baudrate")]
        internal static partial int SetConfigBaudrate(SafeSerialConfigHandle config, int baudrate);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_baudrate")]
        internal static partial int GetConfigBaudrate(SafeSerialConfigHandle config, out int baudrate);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_set_config_bits")]
        internal static partial int SetConfigBits(SafeSerialConfigHandle config, int bits);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_bits")]
        internal static partial int GetConfigBits(SafeSerialConfigHandle config, out int bits);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_set_config_parity")]
        internal static partial int SetConfigParity(SafeSerialConfigHandle config, int parity);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_parity")]
        internal static partial int GetConfigParity(SafeSerialConfigHandle config, out int parity);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_set_config_stopbits")]
        internal static partial int SetConfigStopbits(SafeSerialConfigHandle config, int stopbits);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_stopbits")]
        internal static partial int GetConfigStopbits(SafeSerialConfigHandle config, out int stopbits);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_set_config_flowcontrol")]
        internal static partial int SetConfigFlowcontrol(SafeSerialConfigHandle config, int flowcontrol);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_rts")]
        internal static partial int GetConfigRts(SafeSerialConfigHandle config, out int rts);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_cts")]
        internal static partial int GetConfigCts(SafeSerialConfigHandle config, out int cts);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_config_xon_xoff")]
        internal static partial int GetConfigXonXoff(SafeSerialConfigHandle config, out int xonXoff);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_nonblocking_read")]
        internal static partial int NonblockingRead(SafeSerialPortHandle port, byte* buffer, nuint count);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_blocking_write")]
        internal static partial int BlockingWrite(SafeSerialPortHandle port, byte* buffer, nuint count, uint timeoutMs);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_output_waiting")]
        internal static partial int OutputWaiting(SafeSerialPortHandle port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_drain")]
        internal static partial int Drain(SafeSerialPortHandle port);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_flush")]
        internal static partial int Flush(SafeSerialPortHandle port, int buffers);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_last_error_code")]
        internal static partial int LastErrorCode();

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_last_error_message")]
        internal static partial byte* LastErrorMessage();

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_free_error_message")]
        internal static partial void FreeErrorMessage(byte* message);

        [LibraryImport(Libraries.Libserialport, EntryPoint = "sp_get_package_version_string")]
        internal static partial byte* GetPackageVersionString();
    }
}
