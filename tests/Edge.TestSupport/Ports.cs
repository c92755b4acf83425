using System.Net;
using System.Net.Sockets;

namespace Edge.TestSupport;

/// <summary>Loopback port helpers.</summary>
public static class Ports
{
    /// <summary>A TCP port on 127.0.0.1 that was free a moment ago (callers retry if a race takes it).</summary>
    public static int GetFreeTcpPort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    public static async Task<bool> WaitForListeningAsync(int port, TimeSpan timeout, Func<bool>? gaveUp = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (gaveUp?.Invoke() == true)
            {
                return false;
            }

            if (await IsListeningAsync(port))
            {
                return true;
            }

            await Task.Delay(25);
        }

        return false;
    }

    /// <summary>One probe: whether something accepts TCP connections on 127.0.0.1:<paramref name="port"/> now.</summary>
    internal static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var c = new TcpClient();
            await c.ConnectAsync(IPAddress.Loopback, port);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
