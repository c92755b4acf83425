namespace Edge.Serial.Internal;

/// <summary>A real serial device (UART, USB-serial adapter) driven through libserialport.</summary>
internal sealed unsafe class LibserialportBackend : ISerialBackend
{
    private readonly SafeSerialPortHandle _port;
    private readonly string _portPath;

    private LibserialportBackend(SafeSerialPortHandle port, string portPath, int fd)
    {
        _port = port;
        _portPath = portPath;
        FileDescriptor = fd;
    }

    public string Kind => "libserialport";

    public int FileDescriptor { get; }

    public bool IgnoresCharacterFormat => false;

    /// <param name="portPath">The name the caller used, for messages.</param>
    /// <param name="devicePath">The canonical device path; libserialport 0.1.1 needs it because it looks the
    /// name up under /sys/class/tty and so does not follow /dev/serial/by-id links itself.</param>
    internal static LibserialportBackend Open(string portPath, string devicePath)
    {
        SerialProxy.Check(Interop.Libserialport.GetPortByName(devicePath, out var raw), portPath, "sp_get_port_by_name");
        var port = new SafeSerialPortHandle(raw);
        try
        {
            SerialProxy.Check(Interop.Libserialport.Open(port, Interop.Libserialport.SpModeReadWrite), portPath, "sp_open");
            port.MarkOpened();
            SerialProxy.Check(Interop.Libserialport.GetPortHandle(port, out var fd), portPath, "sp_get_port_handle");
            SerialPortLock.Acquire(fd, portPath);
            return new LibserialportBackend(port, portPath, fd);
        }
        catch
        {
            port.Dispose();
            throw;
        }
    }

    public void Apply(SerialPortSettings settings)
    {
        using var config = NewConfig();
        SerialProxy.Check(Interop.Libserialport.SetConfigBaudrate(config, settings.BaudRate), _portPath, "sp_set_config_baudrate");
        SerialProxy.Check(Interop.Libserialport.SetConfigBits(config, settings.DataBits), _portPath, "sp_set_config_bits");
        SerialProxy.Check(Interop.Libserialport.SetConfigParity(config, (int)settings.Parity), _portPath, "sp_set_config_parity");
        SerialProxy.Check(Interop.Libserialport.SetConfigStopbits(config, (int)settings.StopBits), _portPath, "sp_set_config_stopbits");
        SerialProxy.Check(Interop.Libserialport.SetConfigFlowcontrol(config, (int)settings.FlowControl), _portPath, "sp_set_config_flowcontrol");

        // One sp_set_config is one tcsetattr: the line never runs with half of the new settings.
        SerialProxy.Check(Interop.Libserialport.SetConfig(_port, config), _portPath, "sp_set_config");
    }

    public SerialPortSettings ReadBack()
    {
        using var config = NewConfig();
        SerialProxy.Check(Interop.Libserialport.GetConfig(_port, config), _portPath, "sp_get_config");
        SerialProxy.Check(Interop.Libserialport.GetConfigBaudrate(config, out var baud), _portPath, "sp_get_config_baudrate");
        SerialProxy.Check(Interop.Libserialport.GetConfigBits(config, out var bits), _portPath, "sp_get_config_bits");
        SerialProxy.Check(Interop.Libserialport.GetConfigParity(config, out var parity), _portPath, "sp_get_config_parity");
        SerialProxy.Check(Interop.Libserialport.GetConfigStopbits(config, out var stop), _portPath, "sp_get_config_stopbits");
        SerialProxy.Check(Interop.Libserialport.GetConfigRts(config, out var rts), _portPath, "sp_get_config_rts");
        SerialProxy.Check(Interop.Libserialport.GetConfigCts(config, out var cts), _portPath, "sp_get_config_cts");
        SerialProxy.Check(Interop.Libserialport.GetConfigXonXoff(config, out var xonXoff), _portPath, "sp_get_config_xon_xoff");

        var flow = SerialFlowControl.None;
        if (rts == Interop.Libserialport.SpRtsFlowControl && cts == Interop.Libserialport.SpCtsFlowControl)
        {
            flow = SerialFlowControl.RtsCts;
        }
        else if (xonXoff == Interop.Libserialport.SpXonXoffInOut)
        {
            flow = SerialFlowControl.XonXoff;
        }

        return new SerialPortSettings
        {
            BaudRate = baud,
            DataBits = bits,
            Parity = (SerialParity)parity,
            StopBits = (SerialStopBits)stop,
            FlowControl = flow,
        };
    }

    public int Receive(Span<byte> buffer, out ReceiveStatus status)
    {
        int result;
        fixed (byte* p = buffer)
        {
            // sp_blocking_read(_next) would be the obvious call, but on a hung-up tty select() keeps reporting
            // "readable" while read() returns 0, so it spins for the whole timeout and then returns 0 — the same
            // value as a quiet line. The receive thread polls the descriptor itself and reads without blocking.
            result = Interop.Libserialport.NonblockingRead(_port, p, (nuint)buffer.Length);
        }

        SerialProxy.Check(result, _portPath, "sp_nonblocking_read");
        status = result > 0 ? ReceiveStatus.Data : ReceiveStatus.NoBytesUnknownReason;
        return result;
    }

    public int Write(ReadOnlySpan<byte> data, int timeoutMs)
    {
        if (data.IsEmpty)
        {
            return 0;
        }

        int result;
        fixed (byte* p = data)
        {
            // timeout 0 would mean "wait forever" to libserialport; callers always pass at least 1 ms.
            result = Interop.Libserialport.BlockingWrite(_port, p, (nuint)data.Length, (uint)Math.Max(1, timeoutMs));
        }

        return SerialProxy.Check(result, _portPath, "sp_blocking_write");
    }

    public int OutputWaiting() => SerialProxy.Check(Interop.Libserialport.OutputWaiting(_port), _portPath, "sp_output_waiting");

    public void Drain() => SerialProxy.Check(Interop.Libserialport.Drain(_port), _portPath, "sp_drain");

    public void DiscardInput() => SerialProxy.Check(Interop.Libserialport.Flush(_port, Interop.Libserialport.SpBufInput), _portPath, "sp_flush");

    public void Dispose() => _port.Dispose();

    private SafeSerialConfigHandle NewConfig()
    {
        SerialProxy.Check(Interop.Libserialport.NewConfig(out var raw), _portPath, "sp_new_config");
        return new SafeSerialConfigHandle(raw);
    }
}
