using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Edge.Gateway.Systemd;
using Edge.Gateway.Tests.Support;
using Edge.TestSupport;

namespace Edge.Gateway.Tests;

public sealed class SystemdNotifierTests
{
    [Fact]
    public void Notifications_arrive_as_datagrams_on_the_notify_socket()
    {
        var path = Path.Combine(TestDirectories.Create("notify"), "notify.sock");
        using var receiver = Bind(path);
        using var notifier = new SystemdNotifier(path, null, null);

        Assert.True(notifier.NotifyReady("3 devices"));
        Assert.True(notifier.NotifyWatchdog());
        Assert.True(notifier.NotifyStopping("bye\nnow"));

        Assert.Equal("READY=1\nSTATUS=3 devices", Receive(receiver));
        Assert.Equal("WATCHDOG=1", Receive(receiver));
        Assert.Equal("STOPPING=1\nSTATUS=bye now", Receive(receiver));
    }

    [Fact]
    public void An_at_sign_names_an_abstract_socket()
    {
        var name = TestDirectories.UniqueToken("edge-notify");
        using var receiver = Bind("\0" + name);
        using var notifier = new SystemdNotifier("@" + name, null, null);

        Assert.True(notifier.NotifyStatus("abstract"));
        Assert.Equal("STATUS=abstract", Receive(receiver));
    }

    [Fact]
    public void Without_a_notify_socket_nothing_is_sent_and_nothing_fails()
    {
        using var notifier = new SystemdNotifier(null, "1000000", null);
        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.NotifyReady("x"));
    }

    [Theory]
    [InlineData("2000000", null, 2000)]
    [InlineData("0", null, -1)]
    [InlineData("abc", null, -1)]
    [InlineData("2000000", "1", -1)]
    public void Watchdog_interval_follows_WATCHDOG_USEC_and_WATCHDOG_PID(string usec, string? pid, int expectedMs)
    {
        using var notifier = new SystemdNotifier("/nonexistent", usec, pid);
        Assert.Equal(expectedMs < 0 ? null : TimeSpan.FromMilliseconds(expectedMs), notifier.WatchdogInterval);
    }

    [Fact]
    [Trait(Traits.Category, Traits.Integration)]
    public async Task Gateway_process_sends_ready_status_watchdog_and_stopping()
    {
        var broker = await SharedMosquitto.GetAsync();
        var path = Path.Combine(TestDirectories.Create("notify"), "n.sock");
        using var receiver = Bind(path);
        using var gw = GatewayProcess.Start(
            GatewayProcess.Config(TestDirectories.UniqueToken("gw"), broker, new JsonObject { ["Id"] = "syn", ["Type"] = "synthetic", ["RatePerSecond"] = 5 }),
            new Dictionary<string, string> { ["NOTIFY_SOCKET"] = path, ["WATCHDOG_USEC"] = "1000000" });

        var seen = new List<string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTime.UtcNow < deadline && !(seen.Any(s => s.StartsWith("READY=1", StringComparison.Ordinal)) && seen.Count(s => s == "WATCHDOG=1") >= 2))
        {
            seen.Add(Receive(receiver, TimeSpan.FromSeconds(30)));
        }

        Assert.Contains(seen, s => s.StartsWith("READY=1\nSTATUS=1 devices", StringComparison.Ordinal));
        Assert.True(seen.Count(s => s == "WATCHDOG=1") >= 2, string.Join(" | ", seen) + "\n" + gw.Output);

        gw.Process.Terminate();
        var stopping = false;
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!stopping && DateTime.UtcNow < deadline)
        {
            stopping = Receive(receiver, TimeSpan.FromSeconds(10)).StartsWith("STOPPING=1", StringComparison.Ordinal);
        }

        Assert.True(stopping, gw.Output);
        Assert.True(await gw.Process.WaitForExitAsync(TimeSpan.FromSeconds(10)));
    }

    private static Socket Bind(string path)
    {
        var s = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        s.Bind(new UnixDomainSocketEndPoint(path));
        s.ReceiveTimeout = 5000;
        return s;
    }

    private static string Receive(Socket s, TimeSpan? timeout = null)
    {
        s.ReceiveTimeout = (int)(timeout ?? TimeSpan.FromSeconds(5)).TotalMilliseconds;
        var buffer = new byte[4096];
        var n = s.Receive(buffer);
        return Encoding.UTF8.GetString(buffer, 0, n);
    }
}
