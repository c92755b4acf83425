using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Edge.Gateway.Systemd;

/// <summary>
/// Speaks sd_notify(3) without libsystemd: one datagram per state change to the Unix socket named by
/// <c>NOTIFY_SOCKET</c>. A name starting with '@' is an abstract socket (the '@' stands for a leading NUL byte).
/// Outside systemd (no <c>NOTIFY_SOCKET</c>) every call does nothing. Thread-safe.
/// </summary>
internal sealed class SystemdNotifier : IDisposable
{
    private readonly UnixDomainSocketEndPoint? _endPoint;
    private readonly Lock _lock = new();
    private Socket? _socket;

    public SystemdNotifier()
        : this(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"), Environment.GetEnvironmentVariable("WATCHDOG_USEC"), Environment.GetEnvironmentVariable("WATCHDOG_PID"))
    {
    }

    internal SystemdNotifier(string? notifySocket, string? watchdogUsec, string? watchdogPid)
    {
        if (!string.IsNullOrEmpty(notifySocket))
        {
            // sd_notify: '@' at the start means the abstract namespace, which the kernel spells with a NUL byte.
            var path = notifySocket[0] == '@' ? "\0" + notifySocket[1..] : notifySocket;
            _endPoint = new UnixDomainSocketEndPoint(path);
        }

        WatchdogInterval = ParseWatchdog(watchdogUsec, watchdogPid);
    }

    /// <summary>Whether the service runs under systemd with a notify socket.</summary>
    public bool IsEnabled => _endPoint is not null;

    /// <summary>The watchdog timeout systemd set (WatchdogSec), or null when the watchdog is off or meant for another process.</summary>
    public TimeSpan? WatchdogInterval { get; }

    /// <summary>Start-up finished.</summary>
    public bool NotifyReady(string status) => Send("READY=1\nSTATUS=" + OneLine(status));

    /// <summary>A line systemctl status shows.</summary>
    public bool NotifyStatus(string status) => Send("STATUS=" + OneLine(status));

    /// <summary>Still alive: resets the watchdog timer.</summary>
    public bool NotifyWatchdog() => Send("WATCHDOG=1");

    /// <summary>Shutdown has begun.</summary>
    public bool NotifyStopping(string status) => Send("STOPPING=1\nSTATUS=" + OneLine(status));

    /// <summary>Sends one raw notification (newline-separated assignments).</summary>
    /// <returns>Whether it was sent (false outside systemd or when the socket refused it).</returns>
    public bool Send(string state)
    {
        if (_endPoint is null)
        {
            return false;
        }

        var bytes = Encoding.UTF8.GetBytes(state);
        lock (_lock)
        {
            try
            {
                _socket ??= new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
                _socket.SendTo(bytes, SocketFlags.None, _endPoint);
                return true;
            }
            catch (SocketException)
            {
                // systemd went away or the socket is full; the next notification tries again on a fresh socket.
                _socket?.Dispose();
                _socket = null;
                return false;
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            _socket?.Dispose();
            _socket = null;
        }
    }

    private static TimeSpan? ParseWatchdog(string? usec, string? pid)
    {
        if (string.IsNullOrEmpty(usec) || !long.TryParse(usec, NumberStyles.None, CultureInfo.InvariantCulture, out var micros) || micros <= 0)
        {
            return null;
        }

        // sd_watchdog_enabled(3): WATCHDOG_PID, when set, names the one process the watchdog is for.
        if (!string.IsNullOrEmpty(pid) && (!int.TryParse(pid, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p != Environment.ProcessId))
        {
            return null;
        }

        return TimeSpan.FromMicroseconds(micros);
    }

    private static string OneLine(string s) => s.Replace('\n', ' ');
}
