using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Edge.Serial.Internal;

/// <summary>
/// A Unix98 pseudo-terminal (/dev/pts/N), e.g. the end of a socat bridge to a networked serial server, driven
/// through termios directly. libserialport 0.1.1 cannot open these: sp_get_port_by_name wants a /sys/class/tty
/// entry and sp_open fails on TIOCMGET (ENOTTY, ptys have no modem lines); upstream considers ptys out of scope.
/// The Linux pty driver stores baud, stop bits and flow flags but forces CS8 and no parity, because a pty moves
/// bytes, not bits on a wire.
/// </summary>
internal sealed unsafe class PseudoTerminalBackend : ISerialBackend
{
    private static readonly (uint Code, int Baud)[] s_speedCodes =
    [
        (0x1, 50), (0x2, 75), (0x3, 110), (0x4, 134), (0x5, 150), (0x6, 200), (0x7, 300), (0x8, 600), (0x9, 1200),
        (0xA, 1800), (0xB, 2400), (0xC, 4800), (0xD, 9600), (0xE, 19200), (0xF, 38400), (0x1001, 57600),
        (0x1002, 115200), (0x1003, 230400), (0x1004, 460800), (0x1005, 500000), (0x1006, 576000), (0x1007, 921600),
        (0x1008, 1000000), (0x1009, 1152000), (0x100A, 1500000), (0x100B, 2000000), (0x100C, 2500000),
        (0x100D, 3000000), (0x100E, 3500000), (0x100F, 4000000),
    ];

    private readonly SafeFileDescriptorHandle _fd;
    private readonly string _portPath;

    private PseudoTerminalBackend(SafeFileDescriptorHandle fd, string portPath)
    {
        _fd = fd;
        _portPath = portPath;
    }

    public string Kind => "termios-pty";

    public int FileDescriptor => _fd.Fd;

    public bool IgnoresCharacterFormat => true;

    internal static PseudoTerminalBackend Open(string portPath, string devicePath)
    {
        var fd = Interop.Libc.Open(devicePath, Interop.Libc.ORdwr | Interop.Libc.ONoctty | Interop.Libc.ONonblock | Interop.Libc.OCloexec);
        if (fd < 0)
        {
            throw SerialProxy.SystemError(portPath, "open", Marshal.GetLastPInvokeError());
        }

        var handle = new SafeFileDescriptorHandle(fd);
        try
        {
            SerialPortLock.Acquire(fd, portPath);
            return new PseudoTerminalBackend(handle, portPath);
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    /// <summary>Maps a glibc speed code (Bnnn) back to baud; newer glibc may already return plain numbers.</summary>
    internal static int SpeedToBaud(uint speed)
    {
        foreach (var (code, baud) in s_speedCodes)
        {
            if (code == speed)
            {
                return baud;
            }
        }

        return (int)speed;
    }

    public void Apply(SerialPortSettings settings)
    {
        using var use = new FdUse(_fd);
        Interop.Libc.Termios t;
        Check(Interop.Libc.TcGetAttr(use.Fd, &t), "tcgetattr");

        // Raw mode: no line editing, echo, signals or output processing; a scale's bytes arrive untouched.
        Interop.Libc.CfMakeRaw(&t);
        t.CFlag &= ~(Interop.Libc.Csize | Interop.Libc.Cstopb | Interop.Libc.Parenb | Interop.Libc.Parodd | Interop.Libc.Cmspar | Interop.Libc.Crtscts);
        t.CFlag |= Interop.Libc.Cread | Interop.Libc.Clocal;
        t.CFlag |= settings.DataBits switch
        {
            5 => Interop.Libc.Cs5,
            6 => Interop.Libc.Cs6,
            7 => Interop.Libc.Cs7,
            _ => Interop.Libc.Cs8,
        };
        t.CFlag |= settings.Parity switch
        {
            SerialParity.Odd => Interop.Libc.Parenb | Interop.Libc.Parodd,
            SerialParity.Even => Interop.Libc.Parenb,
            SerialParity.Mark => Interop.Libc.Parenb | Interop.Libc.Cmspar | Interop.Libc.Parodd,
            SerialParity.Space => Interop.Libc.Parenb | Interop.Libc.Cmspar,
            _ => 0u,
        };
        if (settings.StopBits == SerialStopBits.Two)
        {
            t.CFlag |= Interop.Libc.Cstopb;
        }

        t.IFlag &= ~(Interop.Libc.Ixon | Interop.Libc.Ixoff | Interop.Libc.Ixany | Interop.Libc.Ignpar | Interop.Libc.Parmrk | Interop.Libc.Inpck);
        if (settings.Parity != SerialParity.None)
        {
            t.IFlag |= Interop.Libc.Inpck;
        }

        if (settings.FlowControl == SerialFlowControl.XonXoff)
        {
            t.IFlag |= Interop.Libc.Ixon | Interop.Libc.Ixoff;
        }
        else if (settings.FlowControl == SerialFlowControl.RtsCts)
        {
            t.CFlag |= Interop.Libc.Crtscts;
        }

        // VMIN = VTIME = 0: reads never wait in the kernel; waiting is done with poll so that it can be woken.
        t.ControlChars[Interop.Libc.Vmin] = 0;
        t.ControlChars[Interop.Libc.Vtime] = 0;
        Check(Interop.Libc.CfSetSpeed(&t, (uint)settings.BaudRate), "cfsetspeed");
        Check(Interop.Libc.TcSetAttr(use.Fd, Interop.Libc.TcsaNow, &t), "tcsetattr");
    }

    public SerialPortSettings ReadBack()
    {
        using var use = new FdUse(_fd);
        Interop.Libc.Termios t;
        Check(Interop.Libc.TcGetAttr(use.Fd, &t), "tcgetattr");
        var dataBits = (t.CFlag & Interop.Libc.Csize) switch
        {
            Interop.Libc.Cs5 => 5,
            Interop.Libc.Cs6 => 6,
            Interop.Libc.Cs7 => 7,
            _ => 8,
        };
        var parity = SerialParity.None;
        if ((t.CFlag & Interop.Libc.Parenb) != 0)
        {
            var odd = (t.CFlag & Interop.Libc.Parodd) != 0;
            parity = (t.CFlag & Interop.Libc.Cmspar) != 0
                ? (odd ? SerialParity.Mark : SerialParity.Space)
                : (odd ? SerialParity.Odd : SerialParity.Even);
        }

        var flow = SerialFlowControl.None;
        if ((t.CFlag & Interop.Libc.Crtscts) != 0)
        {
            flow = SerialFlowControl.RtsCts;
        }
        else if ((t.IFlag & (Interop.Libc.Ixon | Interop.Libc.Ixoff)) == (Interop.Libc.Ixon | Interop.Libc.Ixoff))
        {
            flow = SerialFlowControl.XonXoff;
        }

        return new SerialPortSettings
        {
            BaudRate = SpeedToBaud(Interop.Libc.CfGetOSpeed(&t)),
            DataBits = dataBits,
            Parity = parity,
            StopBits = (t.CFlag & Interop.Libc.Cstopb) != 0 ? SerialStopBits.Two : SerialStopBits.One,
            FlowControl = flow,
        };
    }

    public int Receive(Span<byte> buffer, out ReceiveStatus status)
    {
        using var use = new FdUse(_fd);
        nint n;
        fixed (byte* p = buffer)
        {
            n = Interop.Libc.Read(use.Fd, p, (nuint)buffer.Length);
        }

        if (n > 0)
        {
            status = ReceiveStatus.Data;
            return (int)n;
        }

        if (n == 0)
        {
            // A pty slave whose master was closed reads as end of file (and polls POLLHUP).
            status = ReceiveStatus.EndOfFile;
            return 0;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno is Interop.Libc.EAgain or Interop.Libc.EIntr)
        {
            status = ReceiveStatus.NothingYet;
            return 0;
        }

        throw SerialProxy.SystemError(_portPath, "read", errno);
    }

    public int Write(ReadOnlySpan<byte> data, int timeoutMs)
    {
        using var use = new FdUse(_fd);
        var started = Stopwatch.GetTimestamp();
        var written = 0;
        while (written < data.Length)
        {
            nint n;
            fixed (byte* p = data[written..])
            {
                n = Interop.Libc.Write(use.Fd, p, (nuint)(data.Length - written));
            }

            if (n > 0)
            {
                written += (int)n;
                continue;
            }

            var errno = Marshal.GetLastPInvokeError();
            if (errno == Interop.Libc.EIntr)
            {
                continue;
            }

            if (errno != Interop.Libc.EAgain)
            {
                throw SerialProxy.SystemError(_portPath, "write", errno);
            }

            var remaining = timeoutMs - (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            if (remaining <= 0)
            {
                break;
            }

            var pfd = new Interop.Libc.PollFd { Fd = use.Fd, Events = Interop.Libc.PollOut };
            if (Interop.Libc.Poll(&pfd, 1, remaining) < 0 && Marshal.GetLastPInvokeError() != Interop.Libc.EIntr)
            {
                throw SerialProxy.SystemError(_portPath, "poll", Marshal.GetLastPInvokeError());
            }
        }

        return written;
    }

    public int OutputWaiting()
    {
        using var use = new FdUse(_fd);
        int queued;
        Check(Interop.Libc.Ioctl(use.Fd, Interop.Libc.Tiocoutq, &queued), "ioctl(TIOCOUTQ)");
        return queued;
    }

    public void Drain()
    {
        using var use = new FdUse(_fd);
        Check(Interop.Libc.TcDrain(use.Fd), "tcdrain");
    }

    public void DiscardInput()
    {
        using var use = new FdUse(_fd);
        Check(Interop.Libc.TcFlush(use.Fd, Interop.Libc.TcIflush), "tcflush");
    }

    public void Dispose() => _fd.Dispose();

    private void Check(int result, string operation)
    {
        if (result < 0)
        {
            throw SerialProxy.SystemError(_portPath, operation, Marshal.GetLastPInvokeError());
        }
    }

    /// <summary>Keeps the descriptor from being closed (and its number reused) while a call is using it.</summary>
    private readonly ref struct FdUse
    {
        private readonly SafeFileDescriptorHandle _handle;

        public FdUse(SafeFileDescriptorHandle handle)
        {
            var added = false;
            handle.DangerousAddRef(ref added);
            _handle = handle;
            Fd = handle.Fd;
        }

        public int Fd { get; }

        public void Dispose() => _handle.DangerousRelease();
    }
}
